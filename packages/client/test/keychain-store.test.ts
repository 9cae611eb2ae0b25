import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createFileTokenStore,
  KEYCHAIN_SERVICE,
  type Keychain,
  openKeychain,
  type StoredTokens,
} from '../src/index.js';
import { tempDir } from './helpers/fixtures.js';
import { HAS_SECRET_SERVICE, type SecretService, startSecretService } from './helpers/secret-service.js';

if (!HAS_SECRET_SERVICE) {
  console.warn(
    'keychain-store.test.ts: skipped, needs dbus-run-session and gnome-keyring (apt-get install dbus gnome-keyring)',
  );
}

const TOKENS: StoredTokens = {
  issuer: 'http://127.0.0.1:4400',
  clientId: 'gatehouse-cli',
  grantType: 'authorization_code',
  tokenType: 'Bearer',
  accessToken: 'access-token-in-the-keychain',
  idToken: 'id-token-in-the-keychain',
  refreshToken: 'refresh-token-in-the-keychain',
  expiresAt: 2_000_000_600,
  obtainedAt: 2_000_000_000,
  scope: 'openid offline_access',
  secrets: { 'dpop-key': '{"kty":"EC","d":"private-part"}' },
};

// One real Secret Service (GNOME Keyring on a private D-Bus session) for this file's process.
describe.skipIf(!HAS_SECRET_SERVICE)('a token store with its secrets in the Secret Service', () => {
  let secretService: SecretService;
  let keychain: Keychain;
  let dir: string;
  let cleanup: () => Promise<void>;
  let warnings: string[];
  beforeAll(async () => {
    secretService = await startSecretService();
    process.env.DBUS_SESSION_BUS_ADDRESS = secretService.env.DBUS_SESSION_BUS_ADDRESS;
    const probe = await openKeychain();
    if (!probe.ok) throw new Error(`no keychain: ${probe.reason}`);
    keychain = probe.keychain;
  });
  afterAll(async () => {
    await secretService?.close();
  });
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    warnings = [];
  });
  afterEach(async () => {
    await cleanup();
  });
  const onWarning = (m: string) => warnings.push(m);
  /** The keychain entries of one token file (every test has its own folder). */
  const entriesOf = (path: string) =>
    secretService.items(KEYCHAIN_SERVICE).filter((item) => item.includes(path));

  it('names the keychain', () => {
    expect(keychain.name).toBe('Secret Service');
  });

  it('keeps every secret out of the file, which points to the keychain entry; reads them back', async () => {
    const path = join(dir, 'default.json');
    const store = createFileTokenStore({ path, keychain, onWarning });
    await store.write(TOKENS);
    const text = await readFile(path, 'utf8');
    for (const secret of ['access-token-in', 'id-token-in', 'refresh-token-in', 'private-part']) {
      expect(text).not.toContain(secret);
    }
    const doc = JSON.parse(text);
    expect(doc).toMatchObject({ version: 1, issuer: TOKENS.issuer, expires_at: TOKENS.expiresAt });
    expect(doc.keychain).toMatchObject({ service: KEYCHAIN_SERVICE, account: path, chunks: 1 });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(entriesOf(path)).toEqual([`attribute.username = ${path}#${doc.keychain.generation}.0`]);
    expect(await store.read()).toEqual(TOKENS);
    // Any store reads it, with or without the keychain option (`--token-storage file` included).
    expect(await createFileTokenStore({ path, onWarning }).read()).toEqual(TOKENS);
    expect(await store.inspect()).toMatchObject({ storage: 'keychain', keychain: 'Secret Service' });
  });

  it('a rewrite replaces the entry (a new generation) and deletes the old one; remove() deletes it', async () => {
    const path = join(dir, 'default.json');
    const store = createFileTokenStore({ path, keychain, onWarning });
    await store.write(TOKENS);
    await store.write({ ...TOKENS, accessToken: 'renewed-access-token' });
    const doc = JSON.parse(await readFile(path, 'utf8'));
    expect(entriesOf(path)).toEqual([`attribute.username = ${path}#${doc.keychain.generation}.0`]);
    expect((await store.read())?.accessToken).toBe('renewed-access-token');
    expect(await store.remove()).toBe(true);
    expect(entriesOf(path)).toEqual([]);
  });

  it('a large token set (hundreds of KB of claims) still fits, split over several entries', async () => {
    const path = join(dir, 'large.json');
    const store = createFileTokenStore({ path, keychain, onWarning });
    const large = { ...TOKENS, idToken: 'x'.repeat(300_000), accessToken: 'y'.repeat(200_000) };
    await store.write(large);
    const doc = JSON.parse(await readFile(path, 'utf8'));
    expect(doc.keychain.chunks).toBeGreaterThan(1);
    expect(await store.read()).toEqual(large);
    await store.remove();
    expect(entriesOf(path)).toEqual([]);
  });

  it('with a passphrase, the refresh token and named secrets are sealed inside the keychain entry too', async () => {
    const path = join(dir, 'sealed.json');
    const store = createFileTokenStore({ path, keychain, passphrase: 'pass phrase', onWarning });
    await store.write(TOKENS);
    expect(await store.inspect()).toMatchObject({ refreshToken: 'encrypted', storage: 'keychain' });
    expect(await createFileTokenStore({ path, passphrase: 'pass phrase', onWarning }).read()).toEqual(TOKENS);
    await expect(createFileTokenStore({ path, onWarning }).read()).rejects.toMatchObject({
      code: 'passphrase_required',
    });
  });

  it('entries deleted behind its back: the login reads as absent, with a warning', async () => {
    const path = join(dir, 'default.json');
    const store = createFileTokenStore({ path, keychain, onWarning });
    await store.write(TOKENS);
    const { keychain: ref } = JSON.parse(await readFile(path, 'utf8'));
    await keychain.remove(ref);
    expect(await store.read()).toBeUndefined();
    expect(warnings.join('\n')).toContain('its tokens are missing from the Secret Service');
  });
});

describe('named secrets beside the refresh token (the slot a DPoP key will use)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await cleanup();
  });

  it('are stored in clear without a passphrase, sealed with one, and bound to their name', async () => {
    const plain = join(dir, 'plain.json');
    await createFileTokenStore({ path: plain }).write(TOKENS);
    expect(JSON.parse(await readFile(plain, 'utf8')).secrets).toEqual(TOKENS.secrets);

    const sealed = join(dir, 'sealed.json');
    await createFileTokenStore({ path: sealed, passphrase: 'pw' }).write(TOKENS);
    const doc = JSON.parse(await readFile(sealed, 'utf8'));
    expect(doc.secrets).toBeUndefined();
    expect(doc.secrets_encrypted['dpop-key']).toMatchObject({ alg: 'A256GCM' });
    expect(JSON.stringify(doc)).not.toContain('private-part');
    expect(await createFileTokenStore({ path: sealed, passphrase: 'pw' }).read()).toEqual(TOKENS);

    // Renaming a sealed secret does not make it open under another name (the name is in the AAD).
    const { writeFile } = await import('node:fs/promises');
    doc.secrets_encrypted = { other: doc.secrets_encrypted['dpop-key'] };
    await writeFile(sealed, JSON.stringify(doc));
    await expect(createFileTokenStore({ path: sealed, passphrase: 'pw' }).read()).rejects.toMatchObject({
      code: 'wrong_passphrase',
    });
  });
});
