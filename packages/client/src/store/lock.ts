import lockfile from 'proper-lockfile';
import { TokenStoreError } from '../errors.js';

/** A lock older than this (ms) whose holder stopped refreshing it is considered abandoned. */
export const LOCK_STALE_MS = 10_000;

/**
 * Takes the cross-process lock of a token file (`<file>.lock`, a directory, so creation is atomic even on
 * network file systems). Waits up to about 30 s for another process to finish its refresh.
 */
export async function acquireFileLock(path: string, warn: (m: string) => void): Promise<() => Promise<void>> {
  try {
    const release = await lockfile.lock(path, {
      realpath: false, // the token file may not exist yet
      lockfilePath: `${path}.lock`,
      stale: LOCK_STALE_MS,
      retries: { retries: 120, factor: 1.3, minTimeout: 25, maxTimeout: 250, randomize: true },
      onCompromised: (err) => warn(`The token file lock ${path}.lock was lost: ${err.message}`),
    });
    return async () => {
      await release().catch(() => {});
    };
  } catch (err) {
    throw new TokenStoreError(path, 'lock', err);
  }
}
