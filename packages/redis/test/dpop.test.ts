import { createHash, randomUUID } from 'node:crypto';
import { createGatehouse, type Decision, type Gatehouse, requestView } from '@gatehouse/core';
import { type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import { hasRedis, RedisServer, waitFor } from '@gatehouse/testkit';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisState, type RedisState } from '../src/index.js';

const PUBLIC_URL = 'https://api.example.com';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

// DPoP proof ids on a real redis-server: a proof used on one instance is refused on every other one; while
// Redis is down each instance refuses the proofs it has seen itself; back up, it is shared again.
describe.skipIf(!hasRedis)('DPoP replay across instances on Redis', () => {
  let redis: RedisServer;
  let idp: DevIdp;
  let jwk: JWK;
  let privateKey: KeyPair['privateKey'];
  let token: string;
  const states: RedisState[] = [];
  let gates: Gatehouse[];

  beforeAll(async () => {
    [redis, idp] = await Promise.all([RedisServer.start(), startDevIdp()]);
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    jwk = await exportJWK(pair.publicKey);
    token = await idp.signAccessToken({ sub: 'dpop-user', cnf: { jkt: await calculateJwkThumbprint(jwk) } });
    gates = [];
    for (let i = 0; i < 3; i++) {
      const state = createRedisState({ url: redis.url, keyPrefix: 'dpop-test:' });
      states.push(state);
      expect(await state.ready()).toBe(true);
      const gate = createGatehouse({
        oidc: { issuers: [{ issuer: idp.issuer, audience: idp.audience }] },
        publicUrl: PUBLIC_URL,
        state,
      });
      await gate.warmUp();
      gates.push(gate);
    }
  });
  afterAll(async () => {
    await Promise.all(states.map((s) => s.close()));
    await redis?.stop();
    await idp?.close();
  });

  const proof = () =>
    new SignJWT({
      jti: randomUUID(),
      htm: 'GET',
      htu: `${PUBLIC_URL}/v1/whoami`,
      iat: Math.floor(Date.now() / 1000),
      ath: createHash('sha256').update(token).digest('base64url'),
    })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
      .sign(privateKey);
  const send = async (gate: Gatehouse, dpop: string): Promise<Decision> =>
    gate.handle(requestView({ url: '/v1/whoami', authorization: `DPoP ${token}`, dpop }), gate.route());
  const replayed = { admitted: false, error: { code: 'invalid_dpop_proof', reason: 'replayed' } };

  it('a proof used on one instance is refused on the others', async () => {
    const dpop = await proof();
    expect(await send(gates[0]!, dpop)).toMatchObject({ admitted: true, auth: { subject: 'dpop-user' } });
    expect(await send(gates[1]!, dpop)).toMatchObject(replayed);
    expect(await send(gates[2]!, dpop)).toMatchObject(replayed);
  });

  it('while Redis is down each instance refuses what it has seen; back up, proofs are shared again', async () => {
    await redis.kill();
    await waitFor(() => states.every((s) => !s.isReachable()), 5000);
    const during = await proof();
    expect(await send(gates[0]!, during)).toMatchObject({ admitted: true });
    expect(await send(gates[0]!, during)).toMatchObject(replayed);
    // Another instance cannot know about it while the store is down (the documented limit).
    expect(await send(gates[1]!, during)).toMatchObject({ admitted: true });

    await redis.restart({ keepData: false });
    await waitFor(() => states.every((s) => s.isReachable()), 10_000);
    const after = await proof();
    expect(await send(gates[2]!, after)).toMatchObject({ admitted: true });
    expect(await send(gates[0]!, after)).toMatchObject(replayed);
  });
});
