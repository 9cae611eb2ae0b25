import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFileTokenStore,
  defaultTokenFilePath,
  KDF_ITERATIONS,
  PassphraseRequiredError,
  type StoredTokens,
  WrongPassphraseError,
} from '../src/index.js';
import { tempDir } from './helpers/fixtures.js';

const TOKENS: StoredTokens = {
  issuer: 'http://127.0.0.1:4400',
  clientId: 'gatehouse-cli',
  grantType: 'authorization_code',
  tokenType: 'Bearer',
  accessToken: 'access-token-value',
  idToken: 'id-token-value',
  refreshToken: 'refresh-token-value-0123456789',
  expiresAt: 2_000_000_600,
  obtainedAt: 2_000_000_000,
  scope: 'openid offline_access',
};

let dir: string;
let cleanup: () => Promise<void>;
let warnings: string[];
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  warnings = [];
});
afterEach(async () => {
  await cleanup();
});
const onWarning = (m: string) => warnings.push(m);

describe('file token store', () => {
  it('defaults to ~/.gatehouse/tokens/<profile>.json, overridable by GATEHOUSE_TOKEN_FILE and GATEHOUSE_CONFIG_DIR', () => {
    expect(defaultTokenFilePath('staging', { HOME: '/home/me' })).toBe(
      '/home/me/.gatehouse/tokens/staging.json',
    );
    expect(defaultTokenFilePath('x', { HOME: '/home/me', GATEHOUSE_CONFIG_DIR: '/cfg' })).toBe(
      '/cfg/tokens/x.json',
    );
    expect(defaultTokenFilePath('x', { GATEHOUSE_TOKEN_FILE: '/t.json' })).toBe('/t.json');
  });

  it('writes the file 0600 in a 0700 folder it creates, and reads it back', async () => {
    const path = join(dir, 'nested', 'tokens', 'default.json');
    const store = createFileTokenStore({ path, onWarning });
    await store.write(TOKENS);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'nested', 'tokens'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'nested'))).mode & 0o777).toBe(0o700);
    expect(await store.read()).toEqual(TOKENS);
    const doc = JSON.parse(await readFile(path, 'utf8'));
    expect(doc).toMatchObject({
      version: 1,
      issuer: TOKENS.issuer,
      client_id: 'gatehouse-cli',
      expires_at: 2_000_000_600,
    });
    expect(warnings).toEqual([]);
  });

  it('replaces the file atomically and leaves no temporary files behind', async () => {
    const path = join(dir, 'default.json');
    const store = createFileTokenStore({ path });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.write({ ...TOKENS, accessToken: `access-${i}` })),
    );
    expect(await readdir(dir)).toEqual(['default.json']);
    expect((await store.read())?.accessToken).toMatch(/^access-\d$/);
  });

  it('keeps the mode 0600 when replacing a file that had looser permissions', async () => {
    const path = join(dir, 'default.json');
    await writeFile(path, '{}', { mode: 0o644 });
    await createFileTokenStore({ path, onWarning }).write(TOKENS);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('reads a missing file as absent, silently', async () => {
    expect(await createFileTokenStore({ path: join(dir, 'none.json'), onWarning }).read()).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it.each([
    ['not JSON', '{"version": 1, "access_tok'],
    ['a JSON array', '[]'],
    ['another format', '{"token": "abc"}'],
    ['a missing field', JSON.stringify({ version: 1, issuer: 'i', client_id: 'c', token_type: 'Bearer' })],
    [
      'a wrong type',
      JSON.stringify({
        version: 1,
        issuer: 'i',
        client_id: 'c',
        token_type: 'Bearer',
        access_token: 'a',
        obtained_at: 'yesterday',
      }),
    ],
  ])(
    'treats a corrupt or foreign file (%s) as absent, with a warning, never a crash',
    async (_what, content) => {
      const path = join(dir, 'default.json');
      await writeFile(path, content);
      const store = createFileTokenStore({ path, onWarning });
      expect(await store.read()).toBeUndefined();
      expect(await store.inspect()).toBeUndefined();
      expect(warnings[0]).toContain(path);
      expect(warnings[0]).toContain('Ignoring');
    },
  );

  it("treats another issuer's or client's file as absent, with a warning", async () => {
    const path = join(dir, 'default.json');
    await createFileTokenStore({ path }).write(TOKENS);
    expect(
      await createFileTokenStore({ path, issuer: 'https://other.example', onWarning }).read(),
    ).toBeUndefined();
    expect(await createFileTokenStore({ path, clientId: 'other', onWarning }).read()).toBeUndefined();
    expect(warnings).toHaveLength(2);
    expect(
      await createFileTokenStore({ path, issuer: TOKENS.issuer, clientId: TOKENS.clientId }).read(),
    ).toEqual(TOKENS);
  });

  it('warns when an existing token folder is open to other users', async () => {
    const shared = join(dir, 'shared');
    await mkdir(shared, { mode: 0o755 });
    await createFileTokenStore({ path: join(shared, 't.json'), onWarning }).write(TOKENS);
    expect(warnings.join('\n')).toMatch(/accessible to other users \(mode 755\)/);
  });

  it('remove() deletes the file and says whether there was one', async () => {
    const path = join(dir, 'default.json');
    const store = createFileTokenStore({ path });
    await store.write(TOKENS);
    expect(await store.remove()).toBe(true);
    expect(await store.remove()).toBe(false);
    expect(await store.read()).toBeUndefined();
  });
});

describe('refresh token encryption at rest', () => {
  it('round-trips: AES-256-GCM with a PBKDF2-SHA256 key, nothing in clear', async () => {
    const path = join(dir, 'default.json');
    await createFileTokenStore({ path, passphrase: 'correct horse' }).write(TOKENS);
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(TOKENS.refreshToken);
    const sealed = JSON.parse(text).refresh_token_encrypted;
    expect(sealed).toMatchObject({ alg: 'A256GCM', kdf: 'PBKDF2-SHA256', iterations: KDF_ITERATIONS });
    expect(KDF_ITERATIONS).toBeGreaterThanOrEqual(200_000);
    expect(Buffer.from(sealed.salt, 'base64url')).toHaveLength(16);
    expect(Buffer.from(sealed.iv, 'base64url')).toHaveLength(12);
    expect(JSON.parse(text).refresh_token).toBeUndefined();

    const again = createFileTokenStore({ path, passphrase: () => Promise.resolve('correct horse') });
    expect(await again.read()).toEqual(TOKENS);
    expect((await again.inspect())?.refreshToken).toBe('encrypted');
  });

  it('uses a fresh salt and nonce for each new file', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    await createFileTokenStore({ path: a, passphrase: 'p' }).write(TOKENS);
    await createFileTokenStore({ path: b, passphrase: 'p' }).write(TOKENS);
    const sa = JSON.parse(await readFile(a, 'utf8')).refresh_token_encrypted;
    const sb = JSON.parse(await readFile(b, 'utf8')).refresh_token_encrypted;
    expect(sa.salt).not.toBe(sb.salt);
    expect(sa.iv).not.toBe(sb.iv);
    expect(sa.ciphertext).not.toBe(sb.ciphertext);
  });

  it('a wrong passphrase is a clear WrongPassphraseError', async () => {
    const path = join(dir, 'default.json');
    await createFileTokenStore({ path, passphrase: 'right' }).write(TOKENS);
    const err = await createFileTokenStore({ path, passphrase: 'guess-1234' })
      .read()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WrongPassphraseError);
    expect((err as Error).message).toContain('passphrase does not decrypt');
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain('guess-1234');
  });

  it('an encrypted file and no passphrase is a clear PassphraseRequiredError', async () => {
    const path = join(dir, 'default.json');
    await createFileTokenStore({ path, passphrase: 'right' }).write(TOKENS);
    const err = await createFileTokenStore({ path })
      .read()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PassphraseRequiredError);
    expect((err as Error).message).toMatch(/encrypted.*GATEHOUSE_TOKEN_PASSPHRASE/);
  });

  it('an altered ciphertext (or one moved to another login) does not open', async () => {
    const path = join(dir, 'default.json');
    await createFileTokenStore({ path, passphrase: 'right' }).write(TOKENS);
    const doc = JSON.parse(await readFile(path, 'utf8'));
    doc.client_id = 'another-client';
    await writeFile(path, JSON.stringify(doc));
    await expect(createFileTokenStore({ path, passphrase: 'right' }).read()).rejects.toBeInstanceOf(
      WrongPassphraseError,
    );
  });

  it('keeps encrypting once a file was encrypted, even if encryption was not asked for', async () => {
    const path = join(dir, 'default.json');
    await createFileTokenStore({ path, passphrase: 'p' }).write(TOKENS);
    const store = createFileTokenStore({ path, passphrase: 'p', encrypt: false });
    await store.read();
    await store.write({ ...TOKENS, refreshToken: 'rotated-refresh-token' });
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('rotated-refresh-token');
    expect(JSON.parse(text).refresh_token_encrypted).toBeDefined();
  });

  it('keeps an encrypted file encrypted when a store writes without reading it first', async () => {
    const path = join(dir, 'default.json');
    await createFileTokenStore({ path, passphrase: 'p' }).write(TOKENS);
    await createFileTokenStore({ path, passphrase: 'p', encrypt: false }).write({
      ...TOKENS,
      refreshToken: 'rotated-refresh-token',
    });
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('rotated-refresh-token');
    expect(JSON.parse(text).refresh_token_encrypted).toBeDefined();
    // Without a passphrase such a write is refused rather than downgraded to plain text.
    await expect(createFileTokenStore({ path }).write(TOKENS)).rejects.toBeInstanceOf(
      PassphraseRequiredError,
    );
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('encryption asked for without a passphrase is refused before writing anything', async () => {
    const path = join(dir, 'default.json');
    await expect(createFileTokenStore({ path, encrypt: true }).write(TOKENS)).rejects.toBeInstanceOf(
      PassphraseRequiredError,
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
