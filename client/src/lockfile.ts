import { existsSync, readFileSync } from 'node:fs';
import { type LockEntry, type Lockfile, WharfError } from '@wharf/schemas';
import { writeFileAtomic } from './fs/atomic-write.js';

export function emptyLockfile(): Lockfile {
  return { lockfile_version: 1, plugins: {} };
}

export function readLockfile(path: string): Lockfile {
  if (!existsSync(path)) return emptyLockfile();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new WharfError(
      'E_LOCK_MISMATCH',
      `The lockfile ${path} is not valid JSON (${(e as Error).message}); restore it or remove it and reinstall.`,
    );
  }
  const lock = parsed as Lockfile;
  if (lock?.lockfile_version !== 1 || typeof lock.plugins !== 'object' || lock.plugins === null) {
    throw new WharfError('E_LOCK_MISMATCH', `The lockfile ${path} is not a Wharf lockfile (lockfile_version 1).`);
  }
  // A null-prototype map: ids come from disk and must never reach Object.prototype.
  lock.plugins = Object.assign(Object.create(null) as Record<string, LockEntry>, lock.plugins);
  return lock;
}

/** The lockfile is replaced whole and atomically; a crash leaves the old one. */
export function writeLockfile(path: string, lock: Lockfile): void {
  const sorted: Record<string, LockEntry> = {};
  for (const id of Object.keys(lock.plugins).sort()) sorted[id] = lock.plugins[id] as LockEntry;
  writeFileAtomic(path, `${JSON.stringify({ lockfile_version: 1, plugins: sorted }, null, 2)}\n`);
}
