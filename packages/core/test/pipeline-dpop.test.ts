import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse, type Decision, requestView } from '../src/index.js';
import { composeState, MemoryState } from '../src/state/index.js';
import { ath, type DpopKey, makeDpopKey, makeProof } from './helpers/dpop.js';
import { KeyServer } from './helpers/key-server.js';

const PUBLIC_URL = 'https://api.example.com';

// Step 6 inside the pipeline: configuration from the environment reaches it, also through a provider
// configured by the environment (as the example apps are), and a shared store makes it wait.
describe('the pipeline with DPoP configured', () => {
  let idp: KeyServer;
  let key: DpopKey;
  beforeAll(async () => {
    idp = await KeyServer.start({ alg: 'ES256' });
    key = await makeDpopKey();
  });
  afterAll(() => idp.close());

  const env = (issuer: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    GATEHOUSE_OIDC_CONFIG: JSON.stringify({
      issuers: [{ issuer: idp.issuer, audience: idp.audience, ...issuer }],
      ...extra,
    }),
    GATEHOUSE_PUBLIC_URL: `${PUBLIC_URL}/`,
  });
  const view = (token: string, dpop?: string, scheme = 'DPoP') =>
    requestView({ method: 'GET', url: '/v1/whoami?x=1', authorization: `${scheme} ${token}`, dpop });
  const proof = (token: string, claims: Record<string, unknown> = {}) =>
    makeProof(key, { htm: 'GET', htu: `${PUBLIC_URL}/v1/whoami`, ath: ath(token), ...claims });

  it('applies the per-issuer mode and the public URL configured by the environment', async () => {
    const gate = createGatehouse({ env: env({ dpop: 'required' }) });
    await gate.warmUp();
    const unbound = await idp.sign({ sub: 'u' });
    const refused = (await gate.handle(view(unbound, undefined, 'Bearer'), gate.route())) as Decision;
    expect(refused).toMatchObject({
      admitted: false,
      status: 401,
      error: { code: 'sender_constraint_failed' },
    });
    expect(refused.admitted === false && refused.headers['www-authenticate']).toContain('DPoP algs="');
    const bound = await idp.sign({ sub: 'u', cnf: { jkt: key.jkt } });
    const admitted = await gate.handle(view(bound, await proof(bound)), gate.route());
    expect(admitted).toMatchObject({ admitted: true, auth: { subject: 'u' } });
  });

  it('hands out a nonce, accepts it, and adds the next one to an admitted answer when it rotates', async () => {
    const gate = createGatehouse({ env: env({}, { dpop_nonce_secret: 'n'.repeat(32) }) });
    await gate.warmUp();
    const bound = await idp.sign({ sub: 'u', cnf: { jkt: key.jkt } });
    const first = (await gate.handle(view(bound, await proof(bound)), gate.route())) as Decision;
    expect(first).toMatchObject({ admitted: false, error: { code: 'use_dpop_nonce' } });
    const nonce = first.admitted ? '' : first.headers['dpop-nonce']!;
    const second = await gate.handle(view(bound, await proof(bound, { nonce })), gate.route());
    expect(second).toMatchObject({ admitted: true, headers: undefined });
  });

  it('waits for a shared store and refuses a proof another instance has used', async () => {
    // One store that two gates share, standing in for Redis: in-process parts, the one-time ids answering
    // asynchronously as a networked store does.
    const shared = new MemoryState();
    const state = composeState({
      kind: 'shared-for-test',
      oneTimeIds: {
        claim: async (claim) => shared.oneTimeIds.claim(claim),
        release: async (scope, id) => shared.oneTimeIds.release(scope, id),
      },
      counters: shared.counters,
      revocations: shared.revocations,
      bus: shared.bus,
      stores: [shared],
    });
    const [a, b] = [createGatehouse({ env: env({}), state }), createGatehouse({ env: env({}), state })];
    await Promise.all([a.warmUp(), b.warmUp()]);
    const bound = await idp.sign({ sub: 'u', cnf: { jkt: key.jkt } });
    const dpop = await proof(bound);
    const first = a.handle(view(bound, dpop), a.route());
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toMatchObject({ admitted: true });
    expect(await b.handle(view(bound, dpop), b.route())).toMatchObject({
      admitted: false,
      error: { code: 'invalid_dpop_proof', reason: 'replayed' },
    });
  });

  it('answers a bearer request for a cached unbound token synchronously, DPoP or not configured', async () => {
    const gate = createGatehouse({ env: env({}) });
    await gate.warmUp();
    const token = await idp.sign({ sub: 'fast' });
    for (let i = 0; i < 3; i++) {
      const decision = gate.handle(view(token, undefined, 'Bearer'), gate.route());
      expect(decision).not.toBeInstanceOf(Promise);
      expect(decision).toMatchObject({ admitted: true });
    }
  });
});
