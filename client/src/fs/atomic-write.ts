import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temp files carry this marker so that `cleanStaleTemps` can find what a crashed run left behind. */
export const TEMP_MARK = '.wharf-tmp-';

/**
 * Random hex for names that must not collide (temp files, lock tokens), not for secrets. Math.random, which V8
 * seeds from the OS per process: node:crypto's first load costs a start ~2.5 ms, and a refresh's first use of it
 * then waits for the network instead of delaying the request (issue 10/11).
 */
export function uniqueHex(chars: number): string {
  let s = '';
  while (s.length < chars)
    s += Math.floor(Math.random() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, chars);
}

export function tempPathFor(target: string): string {
  return join(dirname(target), `${TEMP_MARK}${basename(target)}.${process.pid}.${uniqueHex(8)}`);
}

/** fsync a file's bytes (a copy is a new inode: an fsync of its source does not cover it). */
export function fsyncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsyncFile on the threadpool, so the main thread goes on meanwhile (install: under its checks). */
export async function fsyncOffThread(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncDir on the threadpool; as there, a platform that can't fsync a directory (Windows) is not an error. */
export async function fsyncDirOffThread(dir: string): Promise<void> {
  await fsyncOffThread(dir).catch(() => {});
}

/** fsync a directory so that a rename inside it survives a power cut; some platforms refuse, which is harmless. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Directories can't be fsynced on every platform (Windows); the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Write `data` to a new sibling temp file with `mode` (never widened by a pre-existing file) and fsync it (unless
 * `sync` is false: see writeFileAtomic).
 */
export function writeTemp(target: string, data: string | Uint8Array, mode = 0o644, sync = true): string {
  const tmp = tempPathFor(target);
  const fd = openSync(tmp, 'wx', mode);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    if (sync) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  return tmp;
}

/**
 * Write-temp, fsync, rename: readers see the old bytes or the new bytes, never a mix. `{ sync: false }` keeps the
 * rename's atomicity but not its durability (no fsync): for a file whose loss in a power cut leaves its previous,
 * still valid version (a cache's date), where two fsyncs would be most of a command's disk time.
 */
export function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  mode = 0o644,
  { sync = true }: { sync?: boolean } = {},
): void {
  const tmp = writeTemp(target, data, mode, sync);
  try {
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  if (sync) fsyncDir(dirname(target));
}

/** Remove temp files (and temp dirs) older than `minAgeMs` that an interrupted run left in `dir`. */
export function cleanStaleTemps(dir: string, minAgeMs = 0): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(TEMP_MARK)) continue;
    const p = join(dir, name);
    try {
      if (now - statSync(p).mtimeMs < minAgeMs) continue;
      // A temp of a live process (same pid) is left alone.
      const pid = Number(name.split('.').at(-2));
      if (pid && pid !== process.pid && isAlive(pid) && minAgeMs === 0) continue;
      rmSync(p, { recursive: true, force: true });
      removed++;
    } catch {
      // Raced with another cleaner; nothing to do.
    }
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
