import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  bindDpopKeyToStore,
  createAuthenticatedFetch,
  createClientCredentialsSource,
  createFileTokenStore,
  createOidcClient,
  DPOP_KEY_SECRET,
  dpopKeyPath,
  exportDpopKey,
  generateDpopKey,
  loadDpopKey,
  openStoredDpopKey,
  requestClientCredentialsToken,
  type StoredTokens,
  WrongPassphraseError,
} from '../src/index.js';
import { type DpopApi, startDpopApi } from './helpers/dpop-api.js';
import { tempDir } from './helpers/fixtures.js';

// The DPoP key kept with the tokens it is bound to, as a named secret of the token store (in clear,
// sealed with the passphrase, or in a keychain: whatever the store does with the refresh token).
let idp: DevIdp;
let api: DpopApi;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  idp = await startDevIdp();
  api = await startDpopApi(idp, { required: true });
});
afterAll(() => Promise.all([api?.close(), idp?.close()]));
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('gatehouse-dpop-store-'));
});
afterEach(() => cleanup());

const service = () => ({
  issuer: idp.issuer,
  clientId: idp.clients.service.clientId,
  clientSecret: idp.clients.service.clientSecret,
  scope: 'api:read',
});
const storeAt = (path: string, passphrase?: string) =>
  createFileTokenStore({
    path,
    issuer: idp.issuer,
    clientId: idp.clients.service.clientId,
    ...(passphrase ? { passphrase } : {}),
    onWarning: () => {},
  });
const keyOptions = (create: boolean, passphrase?: string) => ({
  issuer: idp.issuer,
  clientId: idp.clients.service.clientId,
  create,
  ...(passphrase ? { passphrase } : {}),
  onWarning: () => {},
});
const whoami = (
  source: Parameters<typeof createAuthenticatedFetch>[0],
  key?: Parameters<typeof exportDpopKey>[0],
) => createAuthenticatedFetch(source, key ? { dpop: key } : {})(`${api.url}/v1/whoami`);

describe('openStoredDpopKey', () => {
  it('makes a key, writes it with the tokens bound to it (0600, in clear without a passphrase), and finds it again', async () => {
    const path = join(dir, 'svc.json');
    expect(await openStoredDpopKey(storeAt(path), keyOptions(false))).toBeUndefined();
    const made = await openStoredDpopKey(storeAt(path), keyOptions(true));
    const client = createOidcClient({ ...service(), dpop: made!.key });
    const source = createClientCredentialsSource(client, { store: made!.store });
    const res = await whoami(source, made!.key);
    expect(res.status, await res.clone().text()).toBe(200);

    expect(statSync(path).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    expect(doc.token_type.toLowerCase()).toBe('dpop');
    expect(doc.secrets[DPOP_KEY_SECRET]).toBe(await exportDpopKey(made!.key));
    expect((decodeJwt(doc.access_token).cnf as { jkt: string }).jkt).toBe(made!.key.thumbprint);
    expect(existsSync(dpopKeyPath(path))).toBe(false); // no separate key file any more

    // A later process finds the key with the tokens, without being asked to make one.
    const again = await openStoredDpopKey(storeAt(path), keyOptions(false));
    expect(again?.key.thumbprint).toBe(made!.key.thumbprint);
    const cached = createClientCredentialsSource(createOidcClient({ ...service(), dpop: again!.key }), {
      store: again!.store,
    });
    expect(await cached.getToken()).toBe(doc.access_token); // the stored token, not a new one
    expect((await whoami(cached, again!.key)).status).toBe(200);
  });

  it('seals the key with the passphrase, like the refresh token', async () => {
    const path = join(dir, 'svc.json');
    const made = await openStoredDpopKey(storeAt(path, 'correct horse'), keyOptions(true));
    const client = createOidcClient({ ...service(), dpop: made!.key });
    await createClientCredentialsSource(client, { store: made!.store }).getToken();
    const text = readFileSync(path, 'utf8');
    const doc = JSON.parse(text);
    expect(doc.secrets).toBeUndefined();
    expect(Object.keys(doc.secrets_encrypted)).toEqual([DPOP_KEY_SECRET]);
    expect(text).not.toMatch(/"d"/); // the private key is never in clear
    const found = await openStoredDpopKey(storeAt(path, 'correct horse'), keyOptions(false));
    expect(found?.key.thumbprint).toBe(made!.key.thumbprint);
    await expect(openStoredDpopKey(storeAt(path, 'wrong'), keyOptions(false))).rejects.toBeInstanceOf(
      WrongPassphraseError,
    );
  });

  it('keeps the key across a renewal, and the key goes when the tokens are removed', async () => {
    const path = join(dir, 'svc.json');
    const made = await openStoredDpopKey(storeAt(path), keyOptions(true));
    const client = createOidcClient({ ...service(), dpop: made!.key });
    const source = createClientCredentialsSource(client, { store: made!.store });
    const first = await source.getToken();
    source.invalidate?.(first); // as after a 401: the next token is a new one, written again
    const second = await source.getToken();
    expect(second).not.toBe(first);
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    expect(doc.access_token).toBe(second);
    expect(doc.secrets[DPOP_KEY_SECRET]).toBe(await exportDpopKey(made!.key));
    expect(await made!.store.remove()).toBe(true);
    expect(await openStoredDpopKey(storeAt(path), keyOptions(false))).toBeUndefined();
  });

  it('reads stored tokens bound to another key, or to none, as absent, so they are replaced', async () => {
    const path = join(dir, 'svc.json');
    const warnings: string[] = [];
    // A bearer token stored first.
    const bearer = createClientCredentialsSource(createOidcClient(service()), { store: storeAt(path) });
    const plain = await bearer.getToken();
    expect((await whoami(bearer)).status).toBe(401); // this API takes DPoP-bound tokens only
    const key = await generateDpopKey();
    const bound = await bindDpopKeyToStore(storeAt(path), key, { onWarning: (m) => warnings.push(m) });
    expect(await bound.read()).toBeUndefined();
    expect(warnings.join('\n')).toContain('not bound to the DPoP key in use');
    const source = createClientCredentialsSource(createOidcClient({ ...service(), dpop: key }), {
      store: bound,
    });
    const fresh = await source.getToken();
    expect(fresh).not.toBe(plain);
    expect((await whoami(source, key)).status).toBe(200);
    // Another key sees them as absent too.
    const other = await bindDpopKeyToStore(storeAt(path), await generateDpopKey(), { onWarning: () => {} });
    expect(await other.read()).toBeUndefined();
  });

  it('moves a key that an earlier version kept beside the token file into the store, for tokens bound to it', async () => {
    const path = join(dir, 'svc.json');
    // What the earlier CLI left: `<name>.dpop.json` (encrypted) and tokens bound to it, without the key.
    const legacy = await loadDpopKey({
      tokenFile: path,
      issuer: idp.issuer,
      clientId: idp.clients.service.clientId,
      passphrase: 'correct horse',
    });
    const tokens = await requestClientCredentialsToken(createOidcClient({ ...service(), dpop: legacy }));
    const stored: StoredTokens = {
      ...tokens,
      issuer: idp.issuer,
      clientId: idp.clients.service.clientId,
      grantType: 'client_credentials',
    };
    await storeAt(path, 'correct horse').write(stored);
    expect(existsSync(dpopKeyPath(path))).toBe(true);

    const found = await openStoredDpopKey(storeAt(path, 'correct horse'), keyOptions(false, 'correct horse'));
    expect(found?.key.thumbprint).toBe(legacy.thumbprint);
    expect(existsSync(dpopKeyPath(path))).toBe(false);
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    expect(Object.keys(doc.secrets_encrypted)).toEqual([DPOP_KEY_SECRET]);
    const source = createClientCredentialsSource(createOidcClient({ ...service(), dpop: found!.key }), {
      store: found!.store,
    });
    expect(await source.getToken()).toBe(tokens.accessToken);
    expect((await whoami(source, found!.key)).status).toBe(200);
  });

  it('leaves a key file alone when the stored tokens are bearer tokens', async () => {
    const path = join(dir, 'svc.json');
    await loadDpopKey({ tokenFile: path, issuer: idp.issuer, clientId: idp.clients.service.clientId });
    await createClientCredentialsSource(createOidcClient(service()), { store: storeAt(path) }).getToken();
    expect(await openStoredDpopKey(storeAt(path), keyOptions(false))).toBeUndefined();
    expect(existsSync(dpopKeyPath(path))).toBe(true);
  });
});
