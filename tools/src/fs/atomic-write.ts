import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replace `path` with `data` so a reader (or a crash) sees either the old bytes or the new ones, never a mix:
 * temp file in the same directory (rename is only atomic within one filesystem), fsync, rename, fsync the dir.
 * On failure the temp file is removed and `path` is untouched.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    renamed = true;
    await fsyncDir(dir);
  } finally {
    if (!renamed) await unlink(tmp).catch(() => {});
  }
}

// Makes the rename itself durable. Some platforms (Windows) cannot open a directory; the rename already happened.
async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // best effort
  }
}
