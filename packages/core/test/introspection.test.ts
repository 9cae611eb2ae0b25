import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLI_CLIENT_ID, type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authErrorResponse,
  IntrospectionAuthProvider,
  type IntrospectionProviderOptions,
  IssuerUnavailableError,
  SenderConstraints,
  TokenInactiveError,
} from '../src/index.js';
import { FixedClock } from './helpers/clock.js';
import { ath, makeDpopKey, makeProof } from './helpers/dpop.js';
import { senderRequest } from './helpers/sender.js';

type KeyPair = Parameters<typeof client.getDPoPHandle>[1];

/** An issuer whose introspection endpoint the test scripts: answers, counts, slows down or fails. */
class ScriptedIssuer {
  calls = 0;
  lastAuthorization: string | undefined;
  lastBody = '';
  answer: (token: string) => Record<string, unknown> = () => ({ active: false });
  delayMs = 0;
  down = false;
  private constructor(
    private readonly server: Server,
    readonly issuer: string,
  ) {}

  static async start(): Promise<ScriptedIssuer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const scripted = new ScriptedIssuer(server, issuer);
    server.on('request', (req, res) => void scripted.handle(req, res));
    return scripted;
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(
        JSON.stringify({ issuer: this.issuer, introspection_endpoint: `${this.issuer}/introspect` }),
      );
    }
    let body = '';
    for await (const chunk of req) body += chunk;
    this.calls++;
    this.lastAuthorization = req.headers.authorization;
    this.lastBody = body;
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.down) return void req.socket.destroy();
    const token = new URLSearchParams(body).get('token') ?? '';
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.answer(token)));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('IntrospectionAuthProvider (RFC 7662)', () => {
  let scripted: ScriptedIssuer;
  const clock = new FixedClock();
  beforeAll(async () => {
    scripted = await ScriptedIssuer.start();
  });
  afterAll(() => scripted?.close());

  const provider = (overrides: Partial<IntrospectionProviderOptions> = {}) =>
    new IntrospectionAuthProvider({
      issuer: scripted.issuer,
      audience: 'urn:api',
      client: { clientId: 'rs id', clientSecret: 's3cr:t' },
      now: clock.now,
      ...overrides,
    });
  const active = (extra: Record<string, unknown> = {}) => ({
    active: true,
    iss: scripted.issuer,
    aud: 'urn:api',
    sub: 'alice',
    scope: 'api:read api:write',
    exp: clock.seconds + 600,
    ...extra,
  });

  it('claims only opaque bearer credentials, never a JWT-shaped one', () => {
    const p = provider();
    expect(p.accepts('2YotnFZFEjr1zCsicMWpAA')).toBe(true);
    expect(p.accepts('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toBe(false);
    expect(p.accepts('has space')).toBe(false);
  });

  it('builds the identity from an active answer, authenticating with client_secret_basic', async () => {
    scripted.answer = () => active({ email: 'alice@example.com', email_verified: true });
    const auth = await provider({ admins: ['alice@example.com'] }).validateToken('opaque-1');
    expect(auth).toMatchObject({
      subject: 'alice',
      issuer: scripted.issuer,
      audience: 'urn:api',
      authType: 'oidc',
      isAdmin: true,
      scopes: ['api:read', 'api:write'],
    });
    const [id, secret] = Buffer.from(scripted.lastAuthorization!.slice(6), 'base64').toString().split(':');
    expect([decodeURIComponent(id!.replaceAll('+', ' ')), decodeURIComponent(secret!)]).toEqual([
      'rs id',
      's3cr:t',
    ]);
    expect(new URLSearchParams(scripted.lastBody).get('token_type_hint')).toBe('access_token');
  });

  it('answers active:false with 401 invalid_token', async () => {
    scripted.answer = () => ({ active: false });
    const err = await provider()
      .validateToken('opaque-inactive')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenInactiveError);
    const response = authErrorResponse(err as TokenInactiveError);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it.each([
    ['another issuer', { iss: 'https://elsewhere.example.com' }, 'invalid_token'],
    ['another audience', { aud: 'urn:other' }, 'audience_mismatch'],
    ['an empty audience list', { aud: [] }, 'audience_mismatch'],
    ['an expired token', { exp: 1 }, 'token_expired'],
    ['a refresh token', { token_type: 'refresh_token' }, 'invalid_token'],
    ['no subject', { sub: undefined, client_id: undefined }, 'invalid_token'],
  ])('refuses an active answer for %s', async (_name, extra, code) => {
    scripted.answer = () => active(extra);
    await expect(provider().validateToken(`opaque-${code}-${_name}`)).rejects.toMatchObject({ code });
  });

  it('refuses an active answer that names no audience: an access token for this API names it', async () => {
    // RFC 7662 makes aud optional, but an answer without one may describe a refresh token or a token for
    // any API of the issuer; like a JWT, an introspected token must name this API's audience.
    scripted.answer = () => ({ active: true, client_id: 'svc-a', scope: 'api:read' });
    await expect(provider().validateToken('opaque-minimal')).rejects.toMatchObject({
      code: 'audience_mismatch',
    });
  });

  it('takes client_id as the subject of a client-credentials token without sub', async () => {
    scripted.answer = () => ({ active: true, aud: 'urn:api', client_id: 'svc-a', scope: 'api:read' });
    expect(await provider().validateToken('opaque-minimal-aud')).toMatchObject({
      subject: 'svc-a',
      issuer: scripted.issuer,
      scopes: ['api:read'],
    });
  });

  it('caches an answer no longer than the TTL nor past exp', async () => {
    scripted.answer = () => active({ exp: clock.seconds + 100 });
    const p = provider({ tokenCacheTtlSecs: 300 });
    const before = scripted.calls;
    await p.validateToken('opaque-cached');
    expect(p.peek('opaque-cached')?.subject).toBe('alice');
    await p.validateToken('opaque-cached');
    expect(scripted.calls - before).toBe(1);
    clock.advance(101);
    expect(p.peek('opaque-cached')).toBeUndefined();
    scripted.answer = () => active({ exp: clock.seconds + 3600 });
    await p.validateToken('opaque-cached');
    clock.advance(299);
    expect(p.peek('opaque-cached')).toBeDefined();
    clock.advance(2);
    expect(p.peek('opaque-cached')).toBeUndefined();
    expect(scripted.calls - before).toBe(2);
  });

  it('sends concurrent requests for one uncached token as one call', async () => {
    scripted.answer = () => active();
    scripted.delayMs = 100;
    const p = provider({ tokenCacheTtlSecs: 0 });
    const before = scripted.calls;
    const results = await Promise.all(Array.from({ length: 20 }, () => p.validateToken('opaque-burst')));
    scripted.delayMs = 0;
    expect(results.every((r) => r.subject === 'alice')).toBe(true);
    expect(scripted.calls - before).toBe(1);
  });

  it('treats an unreachable endpoint as an outage: 503 with Retry-After, cached tokens keep working', async () => {
    scripted.answer = () => active();
    const p = provider();
    await p.validateToken('opaque-known');
    scripted.down = true;
    const err = await p.validateToken('opaque-unknown').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IssuerUnavailableError);
    const response = authErrorResponse(err as IssuerUnavailableError);
    expect(response.status).toBe(503);
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await p.validateToken('opaque-known')).subject).toBe('alice');
    scripted.down = false;
    clock.advance(2);
    expect((await p.validateToken('opaque-unknown')).subject).toBe('alice');

    const nowhere = new IntrospectionAuthProvider({
      issuer: 'http://127.0.0.1:9',
      audience: 'urn:api',
      client: { clientId: 'a', clientSecret: 'b' },
    });
    await expect(nowhere.validateToken('opaque')).rejects.toBeInstanceOf(IssuerUnavailableError);
  });

  it('refuses options without a client secret or with a bad endpoint', () => {
    expect(() => provider({ client: { clientId: 'a', clientSecret: '' } })).toThrow(/client.clientSecret/);
    expect(() => provider({ endpoint: 'http://example.com/introspect' })).toThrow(/endpoint/);
  });
});

describe('opaque and DPoP-bound tokens from the real OpenID provider', () => {
  let idp: DevIdp;
  beforeAll(async () => {
    idp = await startDevIdp({ accessTokenFormat: 'opaque' });
  });
  afterAll(() => idp?.close());

  async function serviceToken(dpop?: client.DPoPHandle): Promise<string> {
    const config = await client.discovery(
      new URL(idp.issuer),
      idp.clients.service.clientId,
      idp.clients.service.clientSecret,
      undefined,
      {
        execute: [client.allowInsecureRequests],
      },
    );
    return (await client.clientCredentialsGrant(config, { scope: 'api:read' }, { DPoP: dpop })).access_token;
  }

  const provider = () =>
    new IntrospectionAuthProvider({
      issuer: idp.issuer,
      audience: idp.audience,
      client: idp.clients.resourceServer,
    });

  it('refuses a refresh token presented as a bearer credential (the issuer calls it active)', async () => {
    // Authorization code + PKCE for the CLI client, driven without a browser.
    const config = await client.discovery(new URL(idp.issuer), CLI_CLIENT_ID, undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:9/callback',
      scope: 'openid offline_access api:read',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const callback = await idp.loginHeadless(url.href, { username: 'alice', password: 'alice' });
    const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: verifier,
    });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    await expect(provider().validateToken(tokens.refresh_token!)).rejects.toMatchObject({ status: 401 });
    expect(await provider().validateToken(tokens.access_token)).toMatchObject({ subject: 'alice' });
  });

  it('introspects an opaque client-credentials token', async () => {
    const token = await serviceToken();
    expect(provider().accepts(token)).toBe(true);
    expect(await provider().validateToken(token)).toMatchObject({
      subject: idp.clients.service.clientId,
      issuer: idp.issuer,
      audience: idp.audience,
      scopes: ['api:read'],
    });
    await expect(provider().validateToken(`${token}x`)).rejects.toBeInstanceOf(TokenInactiveError);
  });

  it('an opaque DPoP-bound token carries cnf.jkt and needs a proof by its key', async () => {
    const key = await makeDpopKey('ES256');
    const handle = client.getDPoPHandle(
      await client.discovery(
        new URL(idp.issuer),
        idp.clients.service.clientId,
        idp.clients.service.clientSecret,
        undefined,
        {
          execute: [client.allowInsecureRequests],
        },
      ),
      {
        privateKey: key.privateKey,
        publicKey: await crypto.subtle.importKey(
          'jwk',
          key.publicJwk,
          { name: 'ECDSA', namedCurve: 'P-256' },
          true,
          ['verify'],
        ),
      } as KeyPair,
    );
    const token = await serviceToken(handle);
    const auth = await provider().validateToken(token);
    expect(auth.claims.cnf).toEqual({ jkt: key.jkt });
    const senders = new SenderConstraints({ publicUrl: 'http://127.0.0.1:8080' });
    const htu = 'http://127.0.0.1:8080/v1/whoami';
    const dpop = await makeProof(key, { htm: 'GET', htu, ath: ath(token) });
    expect(
      await senders.check(auth, ...senderRequest({ scheme: 'DPoP', token, target: '/v1/whoami', dpop })),
    ).toBeUndefined();
    expect(() =>
      senders.check(auth, ...senderRequest({ scheme: 'Bearer', token, target: '/v1/whoami' })),
    ).toThrow(/DPoP scheme/);
  });
});
