import { readFileSync } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { profileFolder, type Settings } from '../config/settings.js';

/** Where a profile's daemon keeps its pid, lock and log: `<config dir>/profiles/<profile>/`. */
export interface DaemonFiles {
  folder: string;
  pid: string;
  lock: string;
  log: string;
}

export function daemonFiles(settings: Pick<Settings, 'configDir' | 'profile'>): DaemonFiles {
  const folder = profileFolder(settings);
  return {
    folder,
    pid: join(folder, 'daemon.pid'),
    lock: join(folder, 'daemon.lock'),
    log: join(folder, 'daemon.log'),
  };
}

/** Creates the profile's folder, private to the user. */
export async function ensurePrivateFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700).catch(() => {});
}

/** The pid recorded in a file, if it is a positive integer. */
export async function readPid(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * True when `pid` is a live gatehouse daemon. Where the command line can be read (Linux), it must be ours, so
 * that a pid reused after a reboot is not mistaken for the daemon.
 */
export function isDaemonProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const at = argv.indexOf('daemon');
    return at > 0 && argv[at + 1] === 'run';
  } catch {
    return false;
  }
}

/** The pid of the profile's running daemon: the lock names a live daemon process. */
export async function runningDaemon(files: DaemonFiles): Promise<number | undefined> {
  const pid = await readPid(files.lock);
  return pid !== undefined && isDaemonProcess(pid) ? pid : undefined;
}

/**
 * Takes the profile's daemon lock (`daemon.lock`, created exclusively, holding the pid). A lock left by a
 * daemon that died is taken over. Resolves `false` when a live daemon holds it.
 */
export async function acquireDaemonLock(files: DaemonFiles): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(files.lock, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await runningDaemon(files)) return false;
      await unlink(files.lock).catch(() => {}); // left by a daemon that is gone
    }
  }
  return false;
}

/** Writes the pid file atomically (0600). */
export async function writePidFile(files: DaemonFiles): Promise<void> {
  const temp = `${files.pid}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  await handle.writeFile(`${process.pid}\n`);
  await handle.close();
  await rename(temp, files.pid);
}

/** Removes the pid file and the lock when they are this process's (or stale). */
export async function releaseDaemonFiles(files: DaemonFiles, pid = process.pid): Promise<void> {
  for (const path of [files.pid, files.lock]) {
    const owner = await readPid(path);
    if (owner === pid || owner === undefined || !isDaemonProcess(owner)) await unlink(path).catch(() => {});
  }
}
