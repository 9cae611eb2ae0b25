import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * True when this machine can run a real Secret Service: Debian's `dbus-run-session` (package dbus),
 * `gnome-keyring-daemon` (gnome-keyring) and `secret-tool` (libsecret-tools). CI installs them (`.ci/run`).
 */
export const HAS_SECRET_SERVICE = ['dbus-run-session', 'gnome-keyring-daemon', 'secret-tool'].every((tool) =>
  existsSync(`/usr/bin/${tool}`),
);

/** A private D-Bus session with GNOME Keyring's Secret Service on it, and an unlocked keyring. */
export interface SecretService {
  /** The variables a process needs to reach it (DBUS_SESSION_BUS_ADDRESS, and a private HOME for the keyring). */
  env: Record<string, string>;
  /** The items of a service, as `secret-tool search` lists them (attributes only, never secrets). */
  items(service: string): string[];
  close(): Promise<void>;
}

/**
 * Starts `dbus-run-session` around a shell that unlocks a fresh keyring (`gnome-keyring-daemon --unlock`, in
 * a temporary HOME, so the real one is never touched), prints the bus address and waits. Closing it ends
 * the session, which stops the bus and the keyring daemon with it.
 */
export async function startSecretService(): Promise<SecretService> {
  const home = await mkdtemp(join(tmpdir(), 'gatehouse-keyring-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_DATA_HOME: join(home, 'share'),
    XDG_RUNTIME_DIR: home,
  };
  const script = [
    'printf "%s\\n" "$DBUS_SESSION_BUS_ADDRESS"',
    'printf "keyring-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1',
    'echo ready',
    'exec cat',
  ].join('; ');
  const child: ChildProcess = spawn('dbus-run-session', ['--', 'sh', '-c', script], {
    env,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const lines = out.split('\n');
      if (lines.includes('ready')) resolve(lines[0]!);
    });
    child.once('exit', (code) => reject(new Error(`dbus-run-session exited (${code}) before it was ready`)));
  });
  const sessionEnv = { ...env, DBUS_SESSION_BUS_ADDRESS: address };
  return {
    env: sessionEnv,
    items(service) {
      // secret-tool prints the attributes on stderr (and the secret on stdout, which is not read).
      const { stderr } = spawnSync('secret-tool', ['search', '--all', 'service', service], {
        env: sessionEnv,
        encoding: 'utf8',
      });
      return (stderr ?? '')
        .split('\n')
        .filter((line) => line.startsWith('attribute.username = '))
        .sort();
    },
    async close() {
      child.stdin!.end();
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      await rm(home, { recursive: true, force: true });
    },
  };
}
