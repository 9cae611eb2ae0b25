import { randomBytes } from 'node:crypto';
import type { KeychainReference } from './format.js';

/**
 * An OS secret store (macOS Keychain, Windows Credential Manager, the Secret Service of GNOME Keyring or
 * KWallet), through `@napi-rs/keyring`. Values of any size are split into entries small enough for the
 * platform (Windows keeps at most 2,560 bytes per credential).
 *
 * @example
 * ```ts
 * import { openKeychain } from '@gatehouse/client';
 * const probe = await openKeychain();
 * console.error(probe.ok ? `using the ${probe.keychain.name}` : `no keychain: ${probe.reason}`);
 * ```
 */
export interface Keychain {
  /** `macOS Keychain`, `Windows Credential Manager` or `Secret Service`. */
  readonly name: string;
  /** Stores `value` under a new generation of `account`; resolves to where it is. */
  write(account: string, value: string): Promise<KeychainReference>;
  /** The value at `ref`, or `undefined` when an entry is missing. */
  read(ref: KeychainReference): Promise<string | undefined>;
  /** Deletes the entries of `ref` (missing ones are ignored). */
  remove(ref: KeychainReference): Promise<void>;
}

/**
 * The result of {@link openKeychain}: the keychain, or why none can be used.
 *
 * @example
 * ```ts
 * import { type KeychainProbe, openKeychain } from '@gatehouse/client';
 * const probe: KeychainProbe = await openKeychain();
 * if (!probe.ok) console.error(`${probe.name} unreachable: ${probe.reason}`);
 * ```
 */
export type KeychainProbe = { ok: true; keychain: Keychain } | { ok: false; name: string; reason: string };

/** The service name of every Gatehouse keychain entry. */
export const KEYCHAIN_SERVICE = 'gatehouse';

/** Characters per entry: Windows stores UTF-16 with a 2,560-byte limit; elsewhere one entry is enough. */
const CHUNK_CHARS = process.platform === 'win32' ? 1_200 : 256 * 1024;
const PROBE_TIMEOUT_MS = 5_000;

/**
 * The name of this platform's keychain.
 *
 * @example
 * ```ts
 * import { keychainName } from '@gatehouse/client';
 * console.error(keychainName()); // "Secret Service" on Linux
 * ```
 */
export function keychainName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service';
}

interface KeyringModule {
  AsyncEntry: new (
    service: string,
    account: string,
  ) => {
    setPassword(value: string): Promise<void>;
    getPassword(): Promise<string | null | undefined>;
    deleteCredential(): Promise<boolean>;
  };
  findCredentialsAsync(service: string): Promise<unknown[]>;
}

let probing: Promise<KeychainProbe> | undefined;

/**
 * Finds the platform's keychain once per process: loads `@napi-rs/keyring` (an optional dependency) and
 * checks that the secret store answers. On Linux that means a Secret Service on the D-Bus session bus; the
 * kernel keyring is never used, since it forgets everything at logout.
 *
 * @example
 * ```ts
 * import { createFileTokenStore, openKeychain } from '@gatehouse/client';
 * const probe = await openKeychain();
 * const store = createFileTokenStore({ profile: 'dev', ...(probe.ok ? { keychain: probe.keychain } : {}) });
 * ```
 */
export function openKeychain(): Promise<KeychainProbe> {
  probing ??= probe();
  return probing;
}

async function probe(): Promise<KeychainProbe> {
  const name = keychainName();
  let keyring: KeyringModule;
  try {
    const mod = (await import('@napi-rs/keyring')) as unknown as KeyringModule & { default?: KeyringModule };
    keyring = mod.AsyncEntry ? mod : (mod.default as KeyringModule);
  } catch (err) {
    return { ok: false, name, reason: `@napi-rs/keyring cannot be loaded (${describeError(err)})` };
  }
  try {
    // Lists nothing (no entry has this service); fails when the secret store cannot be reached.
    await withTimeout(keyring.findCredentialsAsync(`${KEYCHAIN_SERVICE}-probe`), PROBE_TIMEOUT_MS);
  } catch (err) {
    return { ok: false, name, reason: describeError(err) };
  }
  return { ok: true, keychain: createKeychain(name, keyring) };
}

function createKeychain(name: string, keyring: KeyringModule): Keychain {
  const entry = (ref: KeychainReference, i: number) =>
    new keyring.AsyncEntry(ref.service, `${ref.account}#${ref.generation}.${i}`);
  const remove = async (ref: KeychainReference): Promise<void> => {
    for (let i = 0; i < ref.chunks; i++)
      await entry(ref, i)
        .deleteCredential()
        .catch(() => false);
  };
  return {
    name,
    async write(account, value) {
      const parts: string[] = [];
      for (let i = 0; i < value.length; i += CHUNK_CHARS) parts.push(value.slice(i, i + CHUNK_CHARS));
      if (!parts.length) parts.push('');
      const ref: KeychainReference = {
        service: KEYCHAIN_SERVICE,
        account,
        generation: randomBytes(9).toString('base64url'),
        chunks: parts.length,
      };
      try {
        for (const [i, part] of parts.entries()) await entry(ref, i).setPassword(part);
      } catch (err) {
        await remove(ref);
        throw err;
      }
      return ref;
    },
    async read(ref) {
      let value = '';
      for (let i = 0; i < ref.chunks; i++) {
        const part = await entry(ref, i).getPassword();
        if (part === null || part === undefined) return undefined;
        value += part;
      }
      return value;
    },
    remove,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The first line of an error message: the binding's errors name the platform failure, never a secret. */
function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.slice(0, 200);
}
