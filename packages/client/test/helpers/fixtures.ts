import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary folder, removed by the returned cleanup. */
export async function tempDir(
  prefix = 'gatehouse-test-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A clock that stands still until moved. */
export function fixedClock(startMs = Date.now()): { now: () => number; advance: (secs: number) => void } {
  let current = startMs;
  return {
    now: () => current,
    advance: (secs) => {
      current += secs * 1000;
    },
  };
}
