import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthContext,
  authErrorResponse,
  createAuthContext,
  DpopNonceError,
  type InvalidDpopProofError,
  SenderConstraintError,
  type SenderConstraintOptions,
  SenderConstraints,
} from '../src/index.js';
import { LocalClaims } from '../src/state/index.js';
import { FixedClock } from './helpers/clock.js';
import { ath, type DpopKey, makeDpopKey, makeProof } from './helpers/dpop.js';
import { type RequestOverrides, senderRequest } from './helpers/sender.js';

const ISSUER = 'https://idp.example.com';
const PUBLIC_URL = 'https://api.example.com/gateway';
const HTU = `${PUBLIC_URL}/v1/whoami`;
const TOKEN = 'access-token-1';

function identity(cnf?: unknown, issuer = ISSUER): AuthContext {
  return createAuthContext({
    subject: 'alice',
    issuer,
    authType: 'oidc',
    claims: cnf === undefined ? {} : { cnf },
  });
}

async function failure(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('SenderConstraints (step 6: DPoP and certificate binding)', () => {
  const clock = new FixedClock();
  let key: DpopKey;
  let other: DpopKey;

  beforeAll(async () => {
    [key, other] = await Promise.all([makeDpopKey('ES256'), makeDpopKey('EdDSA')]);
  });

  const senders = (options: SenderConstraintOptions = {}) =>
    new SenderConstraints({ publicUrl: PUBLIC_URL, now: clock.now, ...options });
  const proof = (claims: Record<string, unknown> = {}, k: DpopKey = key) =>
    makeProof(k, { htm: 'GET', htu: HTU, ath: ath(TOKEN), ...claims }, { nowSecs: clock.seconds });
  const request = (o: RequestOverrides = {}) => senderRequest({ dpop: undefined, ...o });
  describe('per-issuer DPoP mode', () => {
    it('allowed: a bound token needs the DPoP scheme and a proof by the bound key', async () => {
      const s = senders();
      const bound = identity({ jkt: key.jkt });
      expect(await s.check(bound, ...request({ dpop: await proof() }))).toBeUndefined();
      const asBearer = (await failure(() =>
        s.check(bound, ...request({ scheme: 'Bearer', dpop: undefined })),
      )) as SenderConstraintError;
      expect(asBearer).toBeInstanceOf(SenderConstraintError);
      expect(asBearer.reason).toBe('bound_token_as_bearer');
      // A valid proof does not make the Bearer scheme acceptable for a bound token (RFC 9449 §7.2).
      const withProof = await failure(async () =>
        s.check(bound, ...request({ scheme: 'Bearer', dpop: await proof() })),
      );
      expect((withProof as SenderConstraintError).reason).toBe('bound_token_as_bearer');
      const otherKey = await failure(async () =>
        s.check(bound, ...request({ dpop: await proof({}, other) })),
      );
      expect((otherKey as SenderConstraintError).reason).toBe('key_mismatch');
      const noProof = await failure(() => s.check(bound, ...request()));
      expect((noProof as InvalidDpopProofError).reason).toBe('missing');
    });

    it('allowed: an unbound token passes as Bearer, or with the DPoP scheme and a valid proof', async () => {
      const s = senders();
      expect(s.check(identity(), ...request({ scheme: 'Bearer' }))).toBeUndefined();
      expect(await s.check(identity(), ...request({ dpop: await proof({}, other) }))).toBeUndefined();
      const bad = await failure(async () =>
        s.check(identity(), ...request({ dpop: await proof({ htm: 'POST' }) })),
      );
      expect((bad as InvalidDpopProofError).reason).toBe('htm');
    });

    it('required: an unbound token is refused, whatever the scheme', async () => {
      const s = senders({ dpopModes: { [ISSUER]: 'required' } });
      for (const scheme of ['Bearer', 'DPoP'] as const) {
        const err = await failure(async () =>
          s.check(identity(), ...request({ scheme, dpop: await proof() })),
        );
        expect((err as SenderConstraintError).reason).toBe('dpop_required');
      }
      expect(await s.check(identity({ jkt: key.jkt }), ...request({ dpop: await proof() }))).toBeUndefined();
    });

    it('disabled: the DPoP scheme and bound tokens are refused', async () => {
      const s = senders({ dpopModes: { [ISSUER]: 'disabled' } });
      const scheme = await failure(async () => s.check(identity(), ...request({ dpop: await proof() })));
      expect((scheme as SenderConstraintError).reason).toBe('dpop_disabled');
      const bound = await failure(() =>
        s.check(identity({ jkt: key.jkt }), ...request({ scheme: 'Bearer' })),
      );
      expect((bound as SenderConstraintError).reason).toBe('dpop_disabled');
      expect(s.check(identity(), ...request({ scheme: 'Bearer' }))).toBeUndefined();
      expect(s.dpopAlgorithms).toEqual([]);
    });

    it('modes are per issuer', async () => {
      const s = senders({ dpopModes: { [ISSUER]: 'required', 'https://other.example.com': 'disabled' } });
      expect(s.modeOf('https://third.example.com')).toBe('allowed');
      expect(
        s.check(identity(undefined, 'https://third.example.com'), ...request({ scheme: 'Bearer' })),
      ).toBeUndefined();
      expect(() => s.check(identity(undefined, ISSUER), ...request({ scheme: 'Bearer' }))).toThrow(
        SenderConstraintError,
      );
    });

    it('API keys never take the DPoP scheme; the development identity skips every check', () => {
      const s = senders();
      const apiKey = createAuthContext({ subject: 'svc', issuer: 'api_key', authType: 'api_key' });
      expect(s.check(apiKey, ...request({ scheme: 'Bearer' }))).toBeUndefined();
      expect(() => s.check(apiKey, ...request())).toThrow(SenderConstraintError);
      const dev = createAuthContext({ subject: 'dev', issuer: 'development', authType: 'anonymous' });
      expect(s.check(dev, ...request())).toBeUndefined();
    });

    it('a malformed or unknown confirmation method fails closed', () => {
      const s = senders();
      for (const cnf of ['jkt', null, [], { jkt: 42 }, { jkt: '' }, { jwk: { kty: 'EC' } }]) {
        const err = (() => {
          try {
            s.check(identity(cnf), ...request({ scheme: 'Bearer' }));
          } catch (e) {
            return e as SenderConstraintError;
          }
        })();
        expect(err?.reason, JSON.stringify(cnf)).toBe('malformed_cnf');
      }
      expect(s.check(identity({}), ...request({ scheme: 'Bearer' }))).toBeUndefined();
    });
  });

  describe('htu', () => {
    it('is built from the configured public URL and the request path, never from the Host header', async () => {
      const s = senders();
      const header = (name: string) => (name === 'host' ? 'evil.example.com' : undefined);
      expect(await s.check(identity(), ...request({ dpop: await proof(), header }))).toBeUndefined();
      const hostBased = await proof({ htu: 'https://evil.example.com/v1/whoami' });
      const err = await failure(() => s.check(identity(), ...request({ dpop: hostBased, header })));
      expect((err as InvalidDpopProofError).reason).toBe('htu');
      const noPrefix = await proof({ htu: 'https://api.example.com/v1/whoami' });
      expect(
        ((await failure(() => s.check(identity(), ...request({ dpop: noPrefix })))) as InvalidDpopProofError)
          .reason,
      ).toBe('htu');
    });

    it('falls back to the origin the request names when no public URL is configured', async () => {
      const s = new SenderConstraints({ now: clock.now });
      const htu = 'http://127.0.0.1:8080/v1/whoami';
      const dpop = await proof({ htu });
      expect(
        await s.check(identity(), ...request({ dpop, origin: 'http://127.0.0.1:8080' })),
      ).toBeUndefined();
      const err = await failure(async () => s.check(identity(), ...request({ dpop: await proof({ htu }) })));
      expect((err as InvalidDpopProofError).reason).toBe('htu');
    });

    it('refuses a public URL with a query, fragment or credentials', () => {
      for (const publicUrl of [
        'https://a.example.com/?x',
        'https://a.example.com/#f',
        'https://u:p@a.example.com',
        'ftp://a',
        'nope',
      ]) {
        expect(() => new SenderConstraints({ publicUrl }), publicUrl).toThrow(TypeError);
      }
    });
  });

  describe('replay', () => {
    it('accepts each proof once per instance', async () => {
      const s = senders();
      const dpop = await proof();
      expect(await s.check(identity(), ...request({ dpop }))).toBeUndefined();
      const err = await failure(() => s.check(identity(), ...request({ dpop })));
      expect((err as InvalidDpopProofError).reason).toBe('replayed');
    });

    it('refuses a proof replayed on another instance that shares the store', async () => {
      const shared = new LocalClaims();
      const a = senders({ oneTimeIds: shared });
      const b = senders({ oneTimeIds: shared });
      const dpop = await proof();
      expect(await a.check(identity(), ...request({ dpop }))).toBeUndefined();
      expect(
        ((await failure(() => b.check(identity(), ...request({ dpop })))) as InvalidDpopProofError).reason,
      ).toBe('replayed');
    });

    it('the same proof id under another key is another proof', async () => {
      const s = senders();
      expect(await s.check(identity(), ...request({ dpop: await proof({ jti: 'same' }) }))).toBeUndefined();
      expect(
        await s.check(identity(), ...request({ dpop: await proof({ jti: 'same' }, other) })),
      ).toBeUndefined();
    });
  });

  describe('server nonces (RFC 9449 §8)', () => {
    const nonces = { secret: 'a shared secret of at least 32 bytes!!', rotationSecs: 60 };

    it('asks for a nonce, accepts it on every instance, and hands out the next one as it rotates', async () => {
      const a = senders({ nonces });
      const b = senders({ nonces });
      const missing = (await failure(async () =>
        a.check(identity(), ...request({ dpop: await proof() })),
      )) as DpopNonceError;
      expect(missing).toBeInstanceOf(DpopNonceError);
      expect(missing.reason).toBe('missing');
      const response = authErrorResponse(missing, { dpop: { algs: ['ES256'] } });
      expect(response.status).toBe(401);
      expect(response.headers['dpop-nonce']).toBe(missing.nonce);
      expect(response.headers['www-authenticate']).toContain('DPoP algs="ES256", error="use_dpop_nonce"');
      expect(missing.nonce).toMatch(/^[\x21\x23-\x5b\x5d-\x7e]+$/);

      expect(
        await a.check(identity(), ...request({ dpop: await proof({ nonce: missing.nonce }) })),
      ).toBeUndefined();
      expect(
        await b.check(identity(), ...request({ dpop: await proof({ nonce: missing.nonce }) })),
      ).toBeUndefined();

      clock.advance(60);
      const headers = await b.check(identity(), ...request({ dpop: await proof({ nonce: missing.nonce }) }));
      expect(headers?.['dpop-nonce']).toBeDefined();
      expect(headers?.['dpop-nonce']).not.toBe(missing.nonce);

      clock.advance(60);
      const stale = (await failure(async () =>
        a.check(identity(), ...request({ dpop: await proof({ nonce: missing.nonce }) })),
      )) as DpopNonceError;
      expect(stale.reason).toBe('stale');
      expect(stale.nonce).not.toBe(missing.nonce);
      // The nonce handed out one rotation ago is still good.
      expect(
        await a.check(identity(), ...request({ dpop: await proof({ nonce: headers?.['dpop-nonce'] }) })),
      ).toBeDefined();
      const forged = (await failure(async () =>
        a.check(identity(), ...request({ dpop: await proof({ nonce: `${stale.nonce.slice(0, -2)}AA` }) })),
      )) as DpopNonceError;
      expect(forged.reason).toBe('stale');
      const otherSecret = senders({ nonces: { secret: 'another secret of at least 32 bytes!!!' } });
      expect(
        await failure(async () =>
          otherSecret.check(identity(), ...request({ dpop: await proof({ nonce: stale.nonce }) })),
        ),
      ).toBeInstanceOf(DpopNonceError);
    });

    it('refuses a short secret', () => {
      expect(() => senders({ nonces: { secret: 'short' } })).toThrow(RangeError);
    });
  });
});
