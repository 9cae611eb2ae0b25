import { type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import * as client from 'openid-client';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidDpopProofError,
  OidcAuthProvider,
  SenderConstraintError,
  SenderConstraints,
} from '../src/index.js';
import { ath, type DpopKey, makeDpopKey, makeProof } from './helpers/dpop.js';
import { senderRequest } from './helpers/sender.js';

type KeyPair = Parameters<typeof client.getDPoPHandle>[1];

const PUBLIC_URL = 'http://127.0.0.1:8080';

// DPoP-bound JWT access tokens from a real OpenID provider (oidc-provider, which binds a token to the key
// of the proof sent with the token request), checked by the OIDC provider and the sender-constraint step.
describe('DPoP-bound JWTs from the real OpenID provider', () => {
  let idp: DevIdp;
  let key: DpopKey;
  let token: string;

  beforeAll(async () => {
    // The IdP requires nonces at its token endpoint: openid-client retries with the nonce it is given.
    idp = await startDevIdp({ requireDpopNonce: true });
    key = await makeDpopKey('ES256');
    const config = await client.discovery(
      new URL(idp.issuer),
      idp.clients.service.clientId,
      idp.clients.service.clientSecret,
      undefined,
      { execute: [client.allowInsecureRequests] },
    );
    const publicKey = await crypto.subtle.importKey(
      'jwk',
      key.publicJwk,
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['verify'],
    );
    const handle = client.getDPoPHandle(config, { privateKey: key.privateKey, publicKey } as KeyPair);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'api:read' }, { DPoP: handle });
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    token = tokens.access_token;
  });
  afterAll(() => idp?.close());

  const proof = (claims: Record<string, unknown> = {}) =>
    makeProof(key, { htm: 'GET', htu: `${PUBLIC_URL}/v1/whoami`, ath: ath(token), ...claims });
  const request = (dpop: string | undefined, scheme: 'Bearer' | 'DPoP' = 'DPoP') =>
    senderRequest({ scheme, token, target: '/v1/whoami', dpop });

  it('binds the token to the proof key (cnf.jkt = the RFC 7638 thumbprint)', async () => {
    const oidc = new OidcAuthProvider({ issuers: [{ issuer: idp.issuer, audience: idp.audience }] });
    const auth = await oidc.validateToken(token);
    expect(auth.claims.cnf).toEqual({ jkt: key.jkt });
  });

  it('a cached bound token still needs a fresh valid proof on every request', async () => {
    const oidc = new OidcAuthProvider({ issuers: [{ issuer: idp.issuer, audience: idp.audience }] });
    const senders = new SenderConstraints({ publicUrl: PUBLIC_URL });
    await oidc.validateToken(token);
    await oidc.validateToken(token); // admitted to the cache at its second verification
    const cached = oidc.peek(token);
    expect(cached).toBeDefined();

    const first = await proof();
    expect(await senders.check(cached!, ...request(first))).toBeUndefined();
    await expect(async () => senders.check(oidc.peek(token)!, ...request(first))).rejects.toMatchObject({
      reason: 'replayed',
    });
    expect(() => senders.check(oidc.peek(token)!, ...request(undefined))).toThrow(InvalidDpopProofError);
    expect(() => senders.check(oidc.peek(token)!, ...request(undefined, 'Bearer'))).toThrow(
      SenderConstraintError,
    );
    expect(await senders.check(oidc.peek(token)!, ...request(await proof()))).toBeUndefined();
  });
});
