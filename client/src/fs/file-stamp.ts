import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync } from 'node:fs';

/**
 * The identity of a file as the kernel keeps it: inode, size and change time, which nothing in user space can set
 * back (any write, rename or utimes moves the ctime). While a file's stamp is the one recorded beside the sha256 of
 * the bytes it was written with, it still holds those bytes, and a reader need not hash them again: that hash was
 * node:crypto's first and only use in `wharf search`, `info` and `outdated` (~2.5 ms of a ~30 ms start; loading
 * node:crypto alone ~1.5 ms of a warm sharded search). git's index skips rehashing on the same grounds. A record is
 * as writable as the file it vouches for, so the hash only ever checked integrity, not authenticity.
 * Undefined on a filesystem whose times are no finer than a millisecond (a write in the same tick could keep
 * them): there the readers hash, as does every refresh, whose answer signed metadata vouches for.
 */
export function stampOf(st: { ino: bigint; size: bigint; ctimeNs: bigint }): string | undefined {
  return st.ctimeNs % 1_000_000n === 0n ? undefined : `${st.ino}:${st.size}:${st.ctimeNs}`;
}

/** A stamp read back from the home: checked like any input before it is compared. */
export const isStamp = (x: unknown): x is string => typeof x === 'string' && STAMP.test(x);
const STAMP = /^\d{1,24}:\d{1,20}:\d{1,24}$/;

/** The stamp of the regular file at `path` as it lies now (not followed through a link), or undefined. */
export function currentStamp(path: string): string | undefined {
  const st = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  return st?.isFile() ? stampOf(st) : undefined;
}

/**
 * A file's bytes, read through one descriptor (a link is refused: O_NOFOLLOW), with the stamp of the file they were
 * read from: the stamp and the bytes cannot belong to two different files.
 */
export function readStamped(path: string): { bytes: Buffer; stamp: string | undefined } {
  const { fd, stamp } = openStamped(path);
  try {
    return { bytes: readFileSync(fd), stamp };
  } finally {
    closeSync(fd);
  }
}

/**
 * A descriptor on the file at `path` (a link is refused: O_NOFOLLOW), with the stamp and size of the file it is open
 * on, for a reader that reads only parts of it. The caller closes it.
 */
export function openStamped(path: string): { fd: number; stamp: string | undefined; size: number } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const st = fstatSync(fd, { bigint: true });
    return { fd, stamp: stampOf(st), size: Number(st.size) };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
