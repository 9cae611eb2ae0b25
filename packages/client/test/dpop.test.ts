import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClientCredentialsSource,
  createDpopFetch,
  createDpopProof,
  createOidcClient,
  type DpopKey,
  dpopKeyPath,
  exportDpopKey,
  generateDpopKey,
  InvalidOptionsError,
  importDpopKey,
  loadDpopKey,
  PassphraseRequiredError,
  removeDpopKey,
  requestClientCredentialsToken,
  WrongPassphraseError,
} from '../src/index.js';
import { startDpopApi as startApi } from './helpers/dpop-api.js';

describe('DPoP on the client', () => {
  let idp: DevIdp;
  let api: Awaited<ReturnType<typeof startApi>>;
  let key: DpopKey;
  let token: string;

  beforeAll(async () => {
    idp = await startDevIdp({ requireDpopNonce: true });
    api = await startApi(idp);
    key = await generateDpopKey();
    const config = await oidc.discovery(
      new URL(idp.issuer),
      idp.clients.service.clientId,
      idp.clients.service.clientSecret,
      undefined,
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const tokens = await oidc.clientCredentialsGrant(
      config,
      { scope: 'api:read' },
      { DPoP: oidc.getDPoPHandle(config, key) },
    );
    token = tokens.access_token;
  });
  afterAll(() => Promise.all([api?.close(), idp?.close()]));

  it('keeps a key across a save and a load, with the same thumbprint', async () => {
    const saved = await exportDpopKey(key);
    const loaded = await importDpopKey(saved);
    expect(loaded.thumbprint).toBe(key.thumbprint);
    expect(loaded.publicJwk).toEqual(key.publicJwk);
    await expect(importDpopKey('{"kty":"EC"}')).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(importDpopKey('nope')).rejects.toBeInstanceOf(InvalidOptionsError);
  });

  it('signs a proof per request, learns the server nonce once, and uses it afterwards', async () => {
    const dpopFetch = createDpopFetch({ getToken: async () => token }, key);
    const before = api.requests;
    const first = await dpopFetch(`${api.url}/v1/whoami?x=1`);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ subject: idp.clients.service.clientId });
    expect(api.requests - before).toBe(2); // use_dpop_nonce, then the retry
    const second = await dpopFetch(`${api.url}/v1/whoami`);
    expect(second.status).toBe(200);
    expect(api.requests - before).toBe(3);
  });

  it('requests DPoP-bound tokens through the client configuration and uses them with a source', async () => {
    const dpopKey = await generateDpopKey('EdDSA');
    const client = createOidcClient({
      issuer: idp.issuer,
      clientId: idp.clients.service.clientId,
      clientSecret: idp.clients.service.clientSecret,
      scope: 'api:read',
      dpop: dpopKey,
    });
    // The IdP asks for a nonce first: the client's DPoP handle follows it.
    const tokens = await requestClientCredentialsToken(client);
    expect(tokens.tokenType.toLowerCase()).toBe('dpop');
    const source = createClientCredentialsSource(client);
    const res = await createDpopFetch(source, dpopKey)(`${api.url}/v1/whoami`);
    expect(res.status).toBe(200);
    // The same token is useless with another key.
    const other = await createDpopFetch(source, await generateDpopKey())(`${api.url}/v1/whoami`);
    expect(other.status).toBe(401);
    expect(() => createOidcClient({ issuer: idp.issuer, clientId: 'x', dpop: {} as DpopKey })).toThrow(
      InvalidOptionsError,
    );
  });

  it('a replayed proof, a proof by another key and the token as Bearer are refused', async () => {
    const nonceResponse = await fetch(`${api.url}/v1/whoami`, {
      headers: {
        authorization: `DPoP ${token}`,
        dpop: await createDpopProof(key, { method: 'GET', url: `${api.url}/v1/whoami`, accessToken: token }),
      },
    });
    const nonce = nonceResponse.headers.get('dpop-nonce') ?? undefined;
    expect(nonce).toBeDefined();
    const proof = await createDpopProof(key, {
      method: 'GET',
      url: `${api.url}/v1/whoami`,
      accessToken: token,
      nonce,
    });
    const send = (headers: Record<string, string>) => fetch(`${api.url}/v1/whoami`, { headers });
    expect((await send({ authorization: `DPoP ${token}`, dpop: proof })).status).toBe(200);
    const replay = await send({ authorization: `DPoP ${token}`, dpop: proof });
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toContain('error="invalid_dpop_proof"');
    const thief = await generateDpopKey();
    const stolen = await send({
      authorization: `DPoP ${token}`,
      dpop: await createDpopProof(thief, {
        method: 'GET',
        url: `${api.url}/v1/whoami`,
        accessToken: token,
        nonce,
      }),
    });
    expect(stolen.status).toBe(401);
    const bearer = await send({ authorization: `Bearer ${token}` });
    expect(bearer.status).toBe(401);
    expect(bearer.headers.get('www-authenticate')).toMatch(
      /DPoP algs="[^"]*ES256[^"]*", error="invalid_token"/,
    );
  });
});

describe('the DPoP key kept with the token file', () => {
  const options = (tokenFile: string, passphrase?: string) => ({
    tokenFile,
    issuer: 'https://idp.example.com',
    clientId: 'gatehouse-cli',
    ...(passphrase ? { passphrase } : {}),
  });

  it('is made once, kept 0600 beside the token file, encrypted like the refresh token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpop-key-'));
    try {
      const tokenFile = join(dir, 'tokens', 'default.json');
      const first = await loadDpopKey(options(tokenFile, 'correct horse'));
      const path = dpopKeyPath(tokenFile);
      expect(path).toBe(join(dir, 'tokens', 'default.dpop.json'));
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const text = readFileSync(path, 'utf8');
      expect(text).toContain(first.thumbprint);
      expect(text).not.toMatch(/"d"/); // the private key never in clear
      expect((await loadDpopKey(options(tokenFile, 'correct horse'))).thumbprint).toBe(first.thumbprint);
      await expect(loadDpopKey(options(tokenFile, 'wrong'))).rejects.toBeInstanceOf(WrongPassphraseError);
      await expect(loadDpopKey(options(tokenFile))).rejects.toBeInstanceOf(PassphraseRequiredError);
      // Another client's key file is replaced, not used.
      const other = await loadDpopKey({ ...options(tokenFile, 'correct horse'), clientId: 'another' });
      expect(other.thumbprint).not.toBe(first.thumbprint);
      await removeDpopKey(tokenFile);
      expect(existsSync(path)).toBe(false);
      await removeDpopKey(tokenFile);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
