import { generateKeyPairSync, sign } from 'node:crypto';
import { exportJWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidDpopProofError,
  type JwsAlgorithm,
  jwkThumbprint,
  normalizeHtu,
  SUPPORTED_ALGORITHMS,
  verifyDpopProof,
} from '../src/index.js';
import { BACKENDS, useBackendIn } from './helpers/backends.js';
import { ath, type DpopKey, makeDpopKey, makeProof } from './helpers/dpop.js';

const HTU = 'https://api.example.com/v1/whoami';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln';
const NOW = 1_800_000_000;
const RULES = { algorithms: new Set<JwsAlgorithm>(SUPPORTED_ALGORITHMS), maxAgeSecs: 300, futureSecs: 60 };

function verify(
  proof: string | string[] | undefined,
  overrides: { method?: string; htu?: string; token?: string } = {},
) {
  return verifyDpopProof(
    {
      proof,
      method: overrides.method ?? 'GET',
      htu: overrides.htu ?? HTU,
      accessToken: overrides.token ?? TOKEN,
    },
    RULES,
    NOW,
  );
}

/** The failure reason of verifying `proof` (awaited first), or undefined when it passes. */
async function why(
  proof: string | string[] | undefined | Promise<string>,
  overrides: { method?: string; htu?: string; token?: string } = {},
): Promise<string | undefined> {
  const value = await proof;
  return reasonOf(() => verify(value, overrides));
}

async function reasonOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidDpopProofError);
    return (err as InvalidDpopProofError).reason;
  }
  return undefined;
}

describe.each(BACKENDS)('verifyDpopProof (RFC 9449 §4.3), %s backend', (backend) => {
  useBackendIn(backend);
  let es256: DpopKey;
  const good = (claims: Record<string, unknown> = {}, options: Parameters<typeof makeProof>[2] = {}) =>
    makeProof(es256, { htm: 'GET', htu: HTU, ath: ath(TOKEN), ...claims }, { nowSecs: NOW, ...options });

  beforeAll(async () => {
    es256 = await makeDpopKey('ES256');
  });

  it.each(['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'])(
    'accepts a valid %s proof and returns its thumbprint',
    async (alg) => {
      const key = await makeDpopKey(alg);
      const proof = await makeProof(
        key,
        { htm: 'GET', htu: HTU, ath: ath(TOKEN), jti: 'j-1' },
        { nowSecs: NOW },
      );
      const result = verify(proof);
      // node:crypto answers synchronously (the fast path); WebCrypto with a promise.
      expect(result instanceof Promise).toBe(backend === 'webcrypto');
      expect(await result).toEqual({ jkt: key.jkt, jti: 'j-1', iat: NOW, nonce: undefined });
    },
  );

  it('computes the RFC 7638 thumbprint of the RFC example key', () => {
    // RFC 7638 §3.1.
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
    expect(jwkThumbprint({ kty: 'oct', k: 'abc' })).toBeUndefined();
    expect(jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'a' })).toBeUndefined();
  });

  it('refuses a missing proof, an empty one, and more than one', async () => {
    const proof = await good();
    expect(await reasonOf(() => verify(undefined))).toBe('missing');
    expect(await reasonOf(() => verify([]))).toBe('missing');
    expect(await reasonOf(() => verify(''))).toBe('missing');
    expect(await reasonOf(() => verify([proof, proof]))).toBe('multiple');
    expect(await reasonOf(() => verify(`${proof}, ${proof}`))).toBe('multiple');
    expect((await verify([proof])).jkt).toBe(es256.jkt);
  });

  it('refuses what is not a compact JWS', async () => {
    expect(await reasonOf(() => verify('not-a-jwt'))).toBe('malformed');
    expect(await reasonOf(() => verify('a.b.c.d.e'))).toBe('malformed');
    expect(await reasonOf(() => verify(`${'a'.repeat(9000)}.b.c`))).toBe('malformed');
  });

  it('refuses a typ other than dpop+jwt, and accepts its media-type spellings', async () => {
    expect(await reasonOf(() => verify(proofs.jwtTyp))).toBe('typ');
    expect(await reasonOf(() => verify(proofs.noTyp))).toBe('typ');
    expect((await verify(proofs.mediaType)).jkt).toBe(es256.jkt);
  });

  const proofs = {} as Record<string, string>;
  beforeAll(async () => {
    proofs.jwtTyp = await good({}, { header: { typ: 'JWT' } });
    proofs.noTyp = await good({}, { header: { typ: undefined } });
    proofs.mediaType = await good({}, { header: { typ: 'application/DPoP+JWT' } });
  });

  it('refuses alg none, symmetric algorithms, and an algorithm outside the allow-list', async () => {
    const header = Buffer.from(
      JSON.stringify({ typ: 'dpop+jwt', alg: 'none', jwk: es256.publicJwk }),
    ).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({ htm: 'GET', htu: HTU, iat: NOW, jti: 'x', ath: ath(TOKEN) }),
    ).toString('base64url');
    expect(await reasonOf(() => verify(`${header}.${payload}.`))).toBe('malformed');
    expect(await reasonOf(() => verify(`${header}.${payload}.c2ln`))).toBe('alg');
    const hs = Buffer.from(
      JSON.stringify({ typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: 'c2VjcmV0' } }),
    ).toString('base64url');
    expect(await reasonOf(() => verify(`${hs}.${payload}.c2ln`))).toBe('alg');
    const proof = await good();
    expect(() =>
      verifyDpopProof(
        { proof, method: 'GET', htu: HTU, accessToken: TOKEN },
        { ...RULES, algorithms: new Set(['EdDSA']) },
        NOW,
      ),
    ).toThrow(InvalidDpopProofError);
  });

  it('refuses a jwk that carries private members, is missing, or does not fit the algorithm', async () => {
    const withPrivate = await good({}, { header: { jwk: await exportJWK(es256.privateKey) } });
    expect(await reasonOf(() => verify(withPrivate))).toBe('jwk');
    expect(await why(good({}, { header: { jwk: undefined } }))).toBe('jwk');
    const rsa = await makeDpopKey('RS256');
    expect(await why(good({}, { header: { jwk: rsa.publicJwk } }))).toBe('jwk');
    // jose refuses to make a 1024-bit RSA signature, so this one is made by hand.
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${b64({ typ: 'dpop+jwt', alg: 'RS256', jwk: small.publicKey.export({ format: 'jwk' }) })}.${b64({ htm: 'GET', htu: HTU, iat: NOW, jti: 'small', ath: ath(TOKEN) })}`;
    const smallProof = `${input}.${sign('sha256', Buffer.from(input), small.privateKey).toString('base64url')}`;
    expect(await reasonOf(() => verify(smallProof))).toBe('jwk');
  });

  it('refuses an EC jwk whose point is not on its curve as a bad jwk, not a bad signature', async () => {
    const jwk = es256.publicJwk as { x: string; y: string };
    // y of another point: (x, y) is then off the curve, which both backends refuse to import.
    const offCurve = { ...jwk, y: jwk.x };
    expect(await why(good({}, { header: { jwk: offCurve } }))).toBe('jwk');
  });

  it('refuses a signature made by another key than the one in jwk', async () => {
    const other = await makeDpopKey('ES256');
    expect(await why(good({}, { signWith: other.privateKey }))).toBe('signature');
    const proof = await good();
    const tampered = `${proof.slice(0, proof.lastIndexOf('.'))}.${'A'.repeat(86)}`;
    expect(await reasonOf(() => verify(tampered))).toBe('signature');
  });

  it('refuses a proof made for another method', async () => {
    expect(await why(good({ htm: 'POST' }))).toBe('htm');
    expect(await why(good({ htm: 'get' }))).toBe('htm');
    expect(await why(good({ htm: undefined }))).toBe('htm');
  });

  it('compares htu ignoring query and fragment, after RFC 3986 normalisation', async () => {
    for (const htu of [
      `${HTU}?a=1`,
      `${HTU}#frag`,
      'HTTPS://API.EXAMPLE.COM:443/v1/whoami',
      'https://api.example.com/v1/./x/../whoami',
      'https://api.example.com/v1/who%61mi',
    ]) {
      expect((await verify(await good({ htu }))).jkt, htu).toBe(es256.jkt);
    }
    expect((await verify(await good({ htu: HTU }), { htu: 'https://api.example.com/v1/%77hoami' })).jkt).toBe(
      es256.jkt,
    );
    for (const htu of [
      'https://api.example.com/v1/whoami/',
      'https://api.example.com/v1/WHOAMI',
      'http://api.example.com/v1/whoami',
      'https://api.example.com:8443/v1/whoami',
      'https://evil.example.com/v1/whoami',
      'https://user@api.example.com/v1/whoami',
      '/v1/whoami',
      'not a url',
    ]) {
      expect(await reasonOf(() => verify(proofsByHtu.get(htu)))).toBe('htu');
    }
    expect(await why(good({ htu: 42 }))).toBe('htu');
  });

  const proofsByHtu = new Map<string, string>();
  beforeAll(async () => {
    for (const htu of [
      'https://api.example.com/v1/whoami/',
      'https://api.example.com/v1/WHOAMI',
      'http://api.example.com/v1/whoami',
      'https://api.example.com:8443/v1/whoami',
      'https://evil.example.com/v1/whoami',
      'https://user@api.example.com/v1/whoami',
      '/v1/whoami',
      'not a url',
    ]) {
      proofsByHtu.set(htu, await good({ htu }));
    }
  });

  it('normalises URLs per RFC 3986 §6.2.2 and §6.2.3', () => {
    expect(normalizeHtu('HTTPS://Api.Example.COM:443/a/./b/../c/%7euser%2f?q#f')).toBe(
      'https://api.example.com/a/c/~user%2F',
    );
    expect(normalizeHtu('http://127.0.0.1:80')).toBe('http://127.0.0.1/');
    expect(normalizeHtu('ftp://example.com/')).toBeUndefined();
  });

  it('accepts iat up to 300 s in the past and 60 s in the future, and nothing beyond', async () => {
    expect((await verify(await good({ iat: NOW - 300 }))).iat).toBe(NOW - 300);
    expect((await verify(await good({ iat: NOW + 60 }))).iat).toBe(NOW + 60);
    expect(await reasonOf(() => verify(proofsByIat.old))).toBe('iat');
    expect(await reasonOf(() => verify(proofsByIat.future))).toBe('iat');
    expect(await reasonOf(() => verify(proofsByIat.missing))).toBe('iat');
    expect(await reasonOf(() => verify(proofsByIat.string))).toBe('iat');
  });

  const proofsByIat = {} as Record<string, string>;
  beforeAll(async () => {
    proofsByIat.old = await good({ iat: NOW - 301 });
    proofsByIat.future = await good({ iat: NOW + 61 });
    proofsByIat.missing = await good({ iat: undefined });
    proofsByIat.string = await good({ iat: String(NOW) });
  });

  it('requires ath to hash the access token sent with the proof', async () => {
    expect(await why(good({ ath: undefined }))).toBe('ath');
    expect(await why(good({ ath: ath('another token') }))).toBe('ath');
    expect(await why(good(), { token: `${TOKEN}x` })).toBe('ath');
  });

  it('requires a jti', async () => {
    expect(await why(good({ jti: undefined }))).toBe('jti');
    expect(await why(good({ jti: '' }))).toBe('jti');
    expect(await why(good({ jti: 'x'.repeat(257) }))).toBe('jti');
  });

  it('refuses critical header extensions', async () => {
    expect(await reasonOf(() => verify(proofsByIat.crit))).toBe('malformed');
  });
  beforeAll(async () => {
    proofsByIat.crit = await good({}, { header: { crit: ['b64'], b64: true } });
  });

  it('returns the nonce claim for the caller to judge', async () => {
    expect((await verify(await good({ nonce: 'n-1' }))).nonce).toBe('n-1');
    expect(await reasonOf(() => verify(proofsByIat.numericNonce))).toBe('malformed');
  });
  beforeAll(async () => {
    proofsByIat.numericNonce = await good({ nonce: 42 });
  });
});
