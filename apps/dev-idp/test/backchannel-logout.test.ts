/**
 * Back-channel logout (OpenID Connect Back-Channel Logout 1.0) from the dev IdP: a session logged in to a
 * client with a `backchannel_logout_uri` ends, and that URI receives a signed logout token.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DevIdp, HeadlessFlowError, LOOPBACK_REDIRECT_URI, startDevIdp } from '../src/index.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

interface Receiver {
  url: string;
  tokens: string[];
  status: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver = { tokens: [] as string[], status: 200 } as Receiver;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      if (req.method === 'POST' && token) receiver.tokens.push(token);
      res.statusCode = receiver.status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/backchannel-logout`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

let idp: DevIdp;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  idp = await startDevIdp({
    clients: [
      {
        client_id: 'portal',
        client_name: 'A relying party with back-channel logout',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [LOOPBACK_REDIRECT_URI],
        backchannel_logout_uri: receiver.url,
        backchannel_logout_session_required: true,
      },
      {
        client_id: 'faraway',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [LOOPBACK_REDIRECT_URI],
        backchannel_logout_uri: 'http://203.0.113.7/logout',
      },
    ],
  });
});
afterAll(async () => {
  await idp?.close();
  await receiver?.close();
});

async function authorizationUrl(clientId: string): Promise<{ url: string; config: client.Configuration }> {
  const config = await client.discovery(new URL(idp.issuer), clientId, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: LOOPBACK_REDIRECT_URI,
    scope: 'openid api:read',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  return { url: url.href, config };
}

describe('back-channel logout', () => {
  test("ending a session sends the client a logout token for the user and the session's sid", async () => {
    const session = idp.session();
    const callback = await session.login((await authorizationUrl('portal')).url, {
      username: 'alice',
      password: 'alice',
    });
    expect(new URL(callback).searchParams.get('code')).toBeTruthy();
    receiver.tokens.length = 0;

    const deliveries = await session.logout();
    expect(deliveries).toEqual([{ clientId: 'portal', delivered: true }]);
    expect(receiver.tokens).toHaveLength(1);
    const { payload, protectedHeader } = await jwtVerify(
      receiver.tokens[0]!,
      createRemoteJWKSet(new URL(idp.jwksUri)),
      { issuer: idp.issuer, audience: 'portal', typ: 'logout+jwt' },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ sub: 'alice', events: { [EVENT]: {} } });
    expect(typeof payload.sid).toBe('string');
    expect(typeof payload.jti).toBe('string');
    expect(payload.nonce).toBeUndefined();
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);

    // The session is over: logging out again finds none, and the next login asks for the password.
    await expect(session.logout()).rejects.toBeInstanceOf(HeadlessFlowError);
    await expect(
      session.login((await authorizationUrl('portal')).url, { username: 'alice', password: 'wrong' }),
    ).rejects.toMatchObject({ code: 'LOGIN_REFUSED' });
  });

  test('reports a relying party that refuses the logout token, and calls nothing off loopback', async () => {
    const session = idp.session();
    await session.login((await authorizationUrl('portal')).url, { username: 'bob', password: 'bob' });
    await session.login((await authorizationUrl('faraway')).url, { username: 'bob', password: 'bob' });
    receiver.status = 400;
    try {
      const deliveries = await session.logout();
      expect(deliveries).toHaveLength(2);
      expect(deliveries).toContainEqual(
        expect.objectContaining({
          clientId: 'portal',
          delivered: false,
          error: expect.stringMatching(/400/),
        }),
      );
      expect(deliveries).toContainEqual({
        clientId: 'faraway',
        delivered: false,
        error: 'the dev IdP only calls http:// URLs on loopback',
      });
    } finally {
      receiver.status = 200;
    }
  });
});
