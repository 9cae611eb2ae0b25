import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { chmod, open, rename, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PresentedToken } from '@gatehouse/client';
import type { CliSession } from '../session/source.js';

/** The default of `--refresh-before`, seconds. */
export const DEFAULT_REFRESH_BEFORE_SECS = 300;
/** How soon a failed renewal is tried again, seconds (sooner when the token expires sooner). */
const RETRY_SECS = 30;

/**
 * The token file of `exec --keep-fresh`: a 0600 file holding the token and one newline, in a private 0700
 * folder of its own, rewritten atomically before each expiry, and deleted with its folder by `close()`.
 */
export interface FreshTokenFile {
  readonly path: string;
  /** Stops renewing and deletes the file and its folder (synchronous, so it also runs on the way out). */
  close(): void;
}

export interface FreshTokenFileOptions {
  session: CliSession;
  /** The token the child starts with (already obtained). */
  initial: PresentedToken;
  /** Renew this long before expiry, at most half the token's lifetime. */
  refreshBeforeSecs: number;
  /** One line, once per run of failures (a renewal that works again resets it). */
  warn(message: string): void;
}

/** Writes the first token and keeps renewing it until `close()`. */
export async function startFreshTokenFile(options: FreshTokenFileOptions): Promise<FreshTokenFile> {
  const { session, refreshBeforeSecs, warn } = options;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-exec-'));
  await chmod(dir, 0o700);
  const path = join(dir, 'token');
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let current = options.initial;
  let failing = false;

  const schedule = (delaySecs: number) => {
    if (closed) return;
    timer = setTimeout(() => void renew(), Math.max(0, delaySecs) * 1000);
    timer.unref();
  };
  const nextRenewal = (token: PresentedToken): number | undefined => {
    if (token.expiresAt === undefined) return undefined; // no known expiry: nothing to schedule
    const lifetime = Math.max(0, token.expiresAt - token.issuedAt);
    const before = Math.min(refreshBeforeSecs, lifetime / 2);
    return token.expiresAt - before - Date.now() / 1000;
  };
  const renew = async () => {
    try {
      // The token is still valid, so the session would hand it out again: ask it for a renewed one.
      session.invalidate(current.token);
      const next = await session.current();
      if (closed) return;
      if (next.token !== current.token) await writeToken(path, next.token);
      current = next;
      failing = false;
      const delay = nextRenewal(next);
      if (delay !== undefined) schedule(Math.max(delay, 1));
    } catch (err) {
      if (closed) return;
      if (!failing) {
        warn(
          `could not renew the token (${err instanceof Error ? err.message : String(err)}); ${path} keeps the current one and gatehouse keeps trying.`,
        );
      }
      failing = true;
      const left = current.expiresAt === undefined ? RETRY_SECS : current.expiresAt - Date.now() / 1000;
      schedule(Math.min(RETRY_SECS, Math.max(1, left / 2)));
    }
  };

  try {
    await writeToken(path, current.token);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const delay = nextRenewal(current);
  if (delay !== undefined) schedule(delay);
  return {
    path,
    close() {
      closed = true;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The token and one newline, replacing the file atomically (a 0600 temporary file, fsync, rename). */
async function writeToken(path: string, token: string): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${token}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
}
