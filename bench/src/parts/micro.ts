import { createPublicKey, type KeyObject, type VerifyKeyObjectInput, verify } from 'node:crypto';
import {
  ApiKeyAuthProvider,
  authorizationHeader,
  createGatehouse,
  extractBearer,
  NodeRequestView,
  OidcAuthProvider,
  useVerificationBackend,
} from '@gatehouse/core';
import { createVerifier } from 'fast-jwt';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import { bench, do_not_optimize, group } from 'mitata';
import {
  type Alg,
  AUDIENCE,
  claims,
  createApiKey,
  createSigningKey,
  type SigningKey,
  sign,
} from '../fixture.js';
import { KeyServer } from '../key-server.js';
import { metricsOn } from '../servers/common.js';
import { runMitata } from './mitata-rows.js';
import { API_KEY_NAME } from './tokens.js';

const ALGS: readonly Alg[] = ['RS256', 'ES256', 'EdDSA'];
// WebCrypto's name for each algorithm, for import and verify alike.
const WEB_ALGS = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
  EdDSA: { name: 'Ed25519' },
} as const;

/** A request's raw headers as Node gives them, with the Authorization header among the others. */
function rawHeaders(authorization: string): string[] {
  // biome-ignore format: one name/value pair per line
  return [
    'Host', '127.0.0.1:3000',
    'User-Agent', 'bench-client/1.0',
    'Accept', 'application/json',
    'Accept-Encoding', 'gzip, deflate, br',
    'Authorization', authorization,
    'X-Request-Id', '2f1c7a9e-8b1d-4a55-9d0c-6c1f2b7e4a10',
    'Connection', 'keep-alive',
  ];
}

interface Signed {
  readonly key: SigningKey;
  readonly token: string;
  readonly keyObject: KeyObject;
}

async function main(): Promise<void> {
  const keys: SigningKey[] = [];
  for (const alg of ALGS) keys.push(await createSigningKey(alg));
  const jwks: { keys: JWK[] } = { keys: keys.map((key) => key.publicJwk) };
  const keyServer = await KeyServer.start(jwks.keys);
  const issuer = keyServer.issuer;
  const signed = new Map<Alg, Signed>();
  for (const key of keys) {
    signed.set(key.alg, {
      key,
      token: await sign(key, claims(issuer, 1)),
      keyObject: createPublicKey({ key: key.publicJwk as never, format: 'jwk' }),
    });
  }
  const apiKey = createApiKey();
  const issuers = [{ issuer, audience: AUDIENCE }];

  const cached = new OidcAuthProvider({ issuers });
  const uncached = new OidcAuthProvider({ issuers, tokenCacheSize: 0 });
  // The same provider with every key imported by WebCrypto, as where node:crypto is missing (workerd).
  useVerificationBackend('webcrypto');
  const uncachedWeb = new OidcAuthProvider({ issuers, tokenCacheSize: 0 });
  await uncachedWeb.warmUp();
  useVerificationBackend('auto');
  const apiKeys = new ApiKeyAuthProvider({ keys: [{ name: API_KEY_NAME, key: apiKey }] });
  const gate = createGatehouse({
    apiKeys: [{ name: API_KEY_NAME, key: apiKey }],
    oidc: { issuers },
    env: false,
  });
  await Promise.all([cached.warmUp(), uncached.warmUp()]);
  const rs = signed.get('RS256')!.token;
  // Twice: the cache admits a token at its second verification.
  await cached.validateToken(rs);
  await cached.validateToken(rs);
  const rsHeaders = rawHeaders(`Bearer ${rs}`);
  const keyHeaders = rawHeaders(`Bearer ${apiKey}`);
  await gate.authenticate(authorizationHeader(rsHeaders));
  await gate.authenticate(authorizationHeader(rsHeaders));
  const route = gate.route();
  const decide = (headers: string[]) =>
    gate.handle(new NodeRequestView({ rawHeaders: headers, url: '/' }), route);
  // The same pipeline recording into an OpenTelemetry SDK (metrics on), its token cached the same way.
  const measured = createGatehouse({
    apiKeys: [{ name: API_KEY_NAME, key: apiKey }],
    oidc: { issuers },
    env: false,
    observability: metricsOn(),
  });
  await measured.authenticate(authorizationHeader(rsHeaders));
  await measured.authenticate(authorizationHeader(rsHeaders));
  const measuredRoute = measured.route();
  const decideMeasured = (headers: string[]) =>
    measured.handle(new NodeRequestView({ rawHeaders: headers, url: '/' }), measuredRoute);
  if (cached.peek(rs) === undefined || decide(rsHeaders) instanceof Promise) {
    throw new Error('the token is not cached');
  }

  group('Gatehouse core paths', () => {
    bench('header parse (authorizationHeader + extractBearer)', () =>
      do_not_optimize(extractBearer(authorizationHeader(rsHeaders))),
    );
    bench('cache hit, synchronous (OidcAuthProvider.peek)', () => do_not_optimize(cached.peek(rs)));
    bench('cache hit, the pipeline adapters run (gate.handle, keys + OIDC)', () =>
      do_not_optimize(decide(rsHeaders)),
    );
    bench('API key, the pipeline adapters run (gate.handle)', () => do_not_optimize(decide(keyHeaders)));
    bench('cache hit, gate.handle, metrics on (OpenTelemetry SDK)', () =>
      do_not_optimize(decideMeasured(rsHeaders)),
    );
    bench('API key, gate.handle, metrics on (OpenTelemetry SDK)', () =>
      do_not_optimize(decideMeasured(keyHeaders)),
    );
    bench('cache hit (OidcAuthProvider.validateToken)', async () =>
      do_not_optimize(await cached.validateToken(rs)),
    );
    bench('cache hit, whole pipeline (gate.authenticate, keys + OIDC)', async () =>
      do_not_optimize(await gate.authenticate(authorizationHeader(rsHeaders))),
    );
    bench('API key lookup (ApiKeyAuthProvider.validateToken)', async () =>
      do_not_optimize(await apiKeys.validateToken(apiKey)),
    );
    bench('API key, whole pipeline (gate.authenticate)', async () =>
      do_not_optimize(await gate.authenticate(authorizationHeader(keyHeaders))),
    );
  });

  const localJwks = createLocalJWKSet(jwks);
  for (const alg of ALGS) {
    const { token, keyObject } = signed.get(alg)!;
    const dot = token.lastIndexOf('.');
    const input = Buffer.from(token.slice(0, dot));
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    const hash = alg === 'EdDSA' ? null : 'sha256';
    const key: KeyObject | VerifyKeyObjectInput =
      alg === 'ES256' ? { key: keyObject, dsaEncoding: 'ieee-p1363' } : keyObject;
    const fast = createVerifier({
      key: keyObject.export({ format: 'pem', type: 'spki' }).toString(),
      algorithms: [alg] as never,
      allowedIss: issuer,
      allowedAud: AUDIENCE,
      requiredClaims: ['sub', 'exp'],
      cache: false,
    });
    const webKey = await crypto.subtle.importKey(
      'jwk',
      signed.get(alg)!.key.publicJwk,
      WEB_ALGS[alg],
      false,
      ['verify'],
    );
    group(`full verify ${alg} (every check, no cache)`, () => {
      bench(`Gatehouse OidcAuthProvider, cache off (${alg})`, async () =>
        do_not_optimize(await uncached.validateToken(token)),
      );
      bench(`Gatehouse OidcAuthProvider, cache off, WebCrypto backend (${alg})`, async () =>
        do_not_optimize(await uncachedWeb.validateToken(token)),
      );
      bench(`jose jwtVerify + local JWKS (${alg})`, async () =>
        do_not_optimize(await jwtVerify(token, localJwks, { issuer, audience: AUDIENCE })),
      );
      bench(`fast-jwt verifier, cache off (${alg})`, () => do_not_optimize(fast(token)));
      bench(`node:crypto verify, signature only (${alg})`, () =>
        do_not_optimize(verify(hash, input, key, signature)),
      );
      bench(`WebCrypto crypto.subtle.verify, signature only (${alg})`, async () =>
        do_not_optimize(await crypto.subtle.verify(WEB_ALGS[alg], webKey, signature, input)),
      );
    });
  }

  const { cpu, rows } = await runMitata();
  await keyServer.close();
  process.stdout.write(`${JSON.stringify({ cpu, rows })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
