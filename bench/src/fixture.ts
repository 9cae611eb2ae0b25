import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';

/** What every server variant is configured with (passed as JSON in `BENCH_CONFIG`). */
export interface ServerConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  readonly apiKeyName: string;
  readonly apiKey: string;
  /** The run's redis-server, when one is installed (the shared-state variants need it). */
  readonly redisUrl?: string;
}

export type Alg = 'RS256' | 'ES256' | 'EdDSA';
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** A signing key and its public JWK, as an issuer would hold them. */
export interface SigningKey {
  readonly alg: Alg;
  readonly kid: string;
  readonly privateKey: PrivateKey;
  readonly publicJwk: JWK;
}

export const AUDIENCE = 'https://api.bench.example';
/** Subjects have a fixed width so every variant's response has the same size. */
export const subjectOf = (i: number): string => `user-${String(i).padStart(6, '0')}`;
/** What the bare frameworks answer, the same length as a real subject. */
export const BARE_SUBJECT = subjectOf(0);

export async function createSigningKey(alg: Alg): Promise<SigningKey> {
  const kid = `${alg.toLowerCase()}-1`;
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicJwk };
}

/**
 * Keys kept in `file` between processes (generated on first use). Instruction counts need this: RSA key
 * generation searches for primes and costs a different number of instructions every time.
 */
export async function keysFromFile(file: string, algs: readonly Alg[]): Promise<SigningKey[]> {
  const stored: Record<string, { privateJwk: JWK; publicJwk: JWK }> = existsSync(file)
    ? JSON.parse(readFileSync(file, 'utf8'))
    : {};
  const keys: SigningKey[] = [];
  for (const alg of algs) {
    if (stored[alg] === undefined) {
      const key = await createSigningKey(alg);
      stored[alg] = { privateJwk: await exportJWK(key.privateKey), publicJwk: key.publicJwk };
      writeFileSync(file, JSON.stringify(stored));
    }
    const { privateJwk, publicJwk } = stored[alg];
    keys.push({
      alg,
      kid: publicJwk.kid!,
      privateKey: (await importJWK(privateJwk, alg)) as PrivateKey,
      publicJwk,
    });
  }
  return keys;
}

/** Realistic access-token claims: far enough from expiry for a whole run (24 h). */
export function claims(issuer: string, i: number, overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: issuer,
    aud: AUDIENCE,
    sub: subjectOf(i),
    iat: now - 60,
    exp: now + 24 * 3600,
    scope: 'openid profile email api:read api:write',
    email: `${subjectOf(i)}@bench.example`,
    email_verified: true,
    jti: randomBytes(9).toString('base64url'),
    ...overrides,
  };
}

export function sign(key: SigningKey, payload: JWTPayload, kid: string = key.kid): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid, typ: 'at+jwt' }).sign(key.privateKey);
}

/** Signs `count` distinct tokens; WebCrypto signs off the main thread, so batches use every core. */
export async function signMany(key: SigningKey, issuer: string, count: number, first = 1): Promise<string[]> {
  const tokens: string[] = [];
  const batch = 64;
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    const signed = await Promise.all(
      Array.from({ length: n }, (_, j) => sign(key, claims(issuer, first + i + j))),
    );
    tokens.push(...signed);
  }
  return tokens;
}

/** The same token with a corrupted signature (its first signature character changed). */
export function withBadSignature(token: string): string {
  const at = token.lastIndexOf('.') + 1;
  const swapped = token[at] === 'A' ? 'B' : 'A';
  return `${token.slice(0, at)}${swapped}${token.slice(at + 1)}`;
}

/** An API key shaped like a real one: a prefix and 32 random bytes, no dots. */
export function createApiKey(): string {
  return `gh_live_${randomBytes(32).toString('base64url')}`;
}
