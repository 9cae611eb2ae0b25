import { createHash, randomUUID } from 'node:crypto';
import {
  type JwsAlgorithm,
  OidcAuthProvider,
  ReplayGuard,
  requestView,
  SenderConstraints,
  SUPPORTED_ALGORITHMS,
  verifyDpopProof,
} from '@gatehouse/core';
import { LocalClaims } from '@gatehouse/core/state';
// Loaded first so that its typing of Express's `req.auth` is the one the Express variants see.
import type {} from '@gatehouse/express';
import { auth as oauth2Bearer } from 'express-oauth2-jwt-bearer';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { bench, do_not_optimize, group } from 'mitata';
import { AUDIENCE, claims, createSigningKey, sign } from '../fixture.js';
import { KeyServer } from '../key-server.js';
import { runMitata } from './mitata-rows.js';

// The cost of a DPoP request (RFC 9449) next to a bearer request, and next to express-oauth2-jwt-bearer's DPoP,
// in one process. A real proof is single-use, so the replay claim is measured with a fresh jti each time
// (the proof itself is re-verified: its header and key are memoised per client, as in a real run).
const ORIGIN = 'http://127.0.0.1:3000';
const PATH = '/v1/whoami';

async function main(): Promise<void> {
  const signingKey = await createSigningKey('ES256');
  const keyServer = await KeyServer.start([signingKey.publicJwk]);
  const issuer = keyServer.issuer;
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const jkt = await calculateJwkThumbprint(jwk);
  const bearer = await sign(signingKey, claims(issuer, 1));
  const bound = await sign(signingKey, claims(issuer, 2, { cnf: { jkt } }));
  const proof = await new SignJWT({
    jti: randomUUID(),
    htm: 'GET',
    htu: `${ORIGIN}${PATH}`,
    iat: Math.floor(Date.now() / 1000),
    ath: createHash('sha256').update(bound).digest('base64url'),
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
    .sign(privateKey);

  const issuers = [{ issuer, audience: AUDIENCE }];
  const cached = new OidcAuthProvider({ issuers });
  const uncached = new OidcAuthProvider({ issuers, tokenCacheSize: 0 });
  await Promise.all([cached.warmUp(), uncached.warmUp()]);
  for (const token of [bearer, bearer, bound, bound]) await cached.validateToken(token);
  if (cached.peek(bound) === undefined) throw new Error('the bound token is not cached');

  const rules = { algorithms: new Set<JwsAlgorithm>(SUPPORTED_ALGORITHMS), maxAgeSecs: 300, futureSecs: 60 };
  const request = { proof, method: 'GET', htu: `${ORIGIN}${PATH}`, accessToken: bound };
  const guard = new ReplayGuard({ ttlSecs: 361, ids: new LocalClaims() });
  const senders = new SenderConstraints({ publicUrl: ORIGIN });
  let counter = 0;
  // What SenderConstraints.check does for a bound token, with a fresh jti for the replay claim.
  const dpopCheck = (auth: ReturnType<OidcAuthProvider['peek']>) => {
    const verified = verifyDpopProof(request, rules, Date.now() / 1000);
    if (verified instanceof Promise) throw new Error('node:crypto verifies synchronously: not a promise');
    if ((auth?.claims.cnf as { jkt?: string } | undefined)?.jkt !== verified.jkt) throw new Error('binding');
    return guard.claim(verified.jkt, `${verified.jti}-${counter++}`, verified.iat, 60);
  };
  // The whole step, replay included, once per proof: it refuses the same proof the second time.
  const auth = cached.peek(bound)!;
  const stepResult = await senders.check(
    auth,
    { scheme: 'DPoP', token: bound },
    requestView({ method: 'GET', url: PATH, dpop: proof }),
  );
  if (stepResult !== undefined) throw new Error('unexpected headers');

  const peer = oauth2Bearer({ issuerBaseURL: issuer, audience: AUDIENCE, dpop: { enabled: true } });
  const peerRequest = () => ({
    headers: { authorization: `DPoP ${bound}`, dpop: proof, host: '127.0.0.1:3000' },
    method: 'GET',
    protocol: 'http',
    originalUrl: PATH,
    url: PATH,
    get: (name: string) => (name.toLowerCase() === 'host' ? '127.0.0.1:3000' : undefined),
    is: () => false,
    socket: {},
  });
  const callPeer = () =>
    new Promise<unknown>((resolve, reject) => {
      const req = peerRequest();
      void peer(req as never, {} as never, (err?: unknown) =>
        err ? reject(err) : resolve((req as { auth?: unknown }).auth),
      );
    });
  await callPeer(); // fetches the peer's keys once

  group('DPoP request next to a bearer request (ES256 token, ES256 proof)', () => {
    bench('Gatehouse bearer, cached token (peek)', () => do_not_optimize(cached.peek(bearer)));
    bench('Gatehouse DPoP proof check alone (verifyDpopProof)', () =>
      do_not_optimize(verifyDpopProof(request, rules, Date.now() / 1000)),
    );
    bench('Gatehouse DPoP replay claim alone (in memory)', () =>
      do_not_optimize(guard.claim(jkt, `bench-${counter++}`, Math.floor(Date.now() / 1000), 60)),
    );
    bench('Gatehouse DPoP, cached token (peek + proof + binding + replay)', () =>
      do_not_optimize(dpopCheck(cached.peek(bound))),
    );
  });
  group('DPoP with the token verified every time (no cache) vs express-oauth2-jwt-bearer', () => {
    bench('Gatehouse bearer, cache off', async () => do_not_optimize(await uncached.validateToken(bearer)));
    bench('Gatehouse DPoP, cache off (token + proof + binding + replay)', async () =>
      do_not_optimize(dpopCheck(await uncached.validateToken(bound))),
    );
    bench('express-oauth2-jwt-bearer DPoP (token + proof; no replay check)', async () =>
      do_not_optimize(await callPeer()),
    );
  });

  const { cpu, rows } = await runMitata();
  await keyServer.close();
  process.stdout.write(`${JSON.stringify({ cpu, rows })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
