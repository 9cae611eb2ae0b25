import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TokenStoreError } from '../errors.js';

/** Creates the folder (0700) when missing; warns when an existing one is open to other users. */
export async function ensureFolder(dir: string, warn: (message: string) => void): Promise<void> {
  let created: string | undefined;
  try {
    created = await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new TokenStoreError(dir, 'create the folder of', err);
  }
  if (created) {
    // mkdir's mode is filtered by the umask; set it explicitly on every folder we created.
    let current = dir;
    while (current.length >= created.length) {
      await chmod(current, 0o700).catch(() => {});
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
    }
    return;
  }
  const info = await stat(dir).catch(() => undefined);
  if (info && (info.mode & 0o077) !== 0 && warnedFolders.has(dir) === false) {
    warnedFolders.add(dir);
    warn(
      `The token folder ${dir} is accessible to other users (mode ${(info.mode & 0o777).toString(8)}); use a private folder (chmod 700).`,
    );
  }
}
const warnedFolders = new Set<string>();

/** Replaces `path` with `body`: a 0600 temporary file in the same folder, fsync, rename. */
export async function atomicWrite(path: string, body: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(body, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw new TokenStoreError(path, 'write', err);
  }
  // Make the rename itself durable; not every platform lets a directory be opened, so this is best effort.
  const folder = await open(dirname(path), 'r').catch(() => undefined);
  if (folder) {
    await folder.sync().catch(() => {});
    await folder.close();
  }
}
