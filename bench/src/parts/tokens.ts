import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  claims,
  createApiKey,
  createSigningKey,
  type SigningKey,
  sign,
  signMany,
  subjectOf,
  withBadSignature,
} from '../fixture.js';
import type { Check } from './checks.js';

/** Keys, tokens and header files of one run. */
export interface Material {
  readonly apiKey: string;
  /** Header list files by name (see `Scenario.headers`). */
  readonly headerFiles: Record<string, string>;
  /** Distinct valid RS256 tokens (the cold-start test uses the first few hundred). */
  readonly coldRs: readonly string[];
  readonly checks: readonly Check[];
}

export const API_KEY_NAME = 'bench-service';

export async function createKeys(): Promise<{ rs: SigningKey; es: SigningKey }> {
  return { rs: await createSigningKey('RS256'), es: await createSigningKey('ES256') };
}

/** Signs every token of the run and writes the header lists the load generator reads. */
export async function createMaterial(
  keys: { rs: SigningKey; es: SigningKey },
  issuer: string,
  coldCount: number,
  dir: string,
): Promise<Material> {
  const { rs, es } = keys;
  const apiKey = createApiKey();
  const hotRs = await sign(rs, claims(issuer, 1));
  const hotEs = await sign(es, claims(issuer, 2));
  const coldRs = await signMany(rs, issuer, coldCount, 10);
  const coldEs = await signMany(es, issuer, coldCount, 10 + coldCount);
  const bearer = (tokens: readonly string[]) => tokens.map((t) => `Bearer ${t}`);
  const lists: Record<string, readonly string[]> = {
    'hot-rs256': bearer([hotRs]),
    'hot-es256': bearer([hotEs]),
    'cold-rs256': bearer(coldRs),
    'cold-es256': bearer(coldEs),
    apikey: bearer([apiKey]),
    'invalid-rs256': bearer(coldRs.map(withBadSignature)),
    'invalid-es256': bearer(coldEs.map(withBadSignature)),
  };
  mkdirSync(dir, { recursive: true });
  const headerFiles: Record<string, string> = {};
  for (const [name, values] of Object.entries(lists)) {
    headerFiles[name] = join(dir, `headers-${name}.tmp`);
    writeFileSync(headerFiles[name], `${values.join('\n')}\n`);
  }

  const now = Math.floor(Date.now() / 1000);
  const unsigned = (payload: object) =>
    `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
  const checks: Check[] = [
    { name: 'valid RS256', authorization: `Bearer ${hotRs}`, subject: subjectOf(1) },
    { name: 'valid ES256', authorization: `Bearer ${hotEs}`, subject: subjectOf(2) },
    {
      name: 'valid RS256 (cold list)',
      authorization: lists['cold-rs256']![0],
      subject: subjectOf(10),
    },
    { name: 'no Authorization header', authorization: undefined, subject: undefined },
    { name: 'bad signature RS256', authorization: lists['invalid-rs256']![0], subject: undefined },
    { name: 'bad signature ES256', authorization: lists['invalid-es256']![0], subject: undefined },
    {
      name: 'expired',
      authorization: `Bearer ${await sign(rs, claims(issuer, 3, { iat: now - 7200, exp: now - 3600 }))}`,
      subject: undefined,
    },
    {
      name: 'wrong audience',
      authorization: `Bearer ${await sign(rs, claims(issuer, 4, { aud: 'https://other.example' }))}`,
      subject: undefined,
    },
    {
      name: 'wrong issuer (right key)',
      authorization: `Bearer ${await sign(rs, claims(issuer, 5, { iss: 'https://evil.example' }))}`,
      subject: undefined,
    },
    {
      name: 'not yet valid (nbf +1 h)',
      authorization: `Bearer ${await sign(es, claims(issuer, 6, { nbf: now + 3600 }))}`,
      subject: undefined,
    },
    { name: 'alg none', authorization: `Bearer ${unsigned(claims(issuer, 7))}`, subject: undefined },
    { name: 'API key', authorization: `Bearer ${apiKey}`, subject: API_KEY_NAME, apiKey: true },
  ];
  return { apiKey, headerFiles, coldRs, checks };
}
