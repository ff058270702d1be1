import { lstatSync, readFileSync } from 'node:fs';
import { type LockEntry, type Lockfile, validateLockfile, WharfError } from '@wharf/schemas';
import { writeFileAtomic } from './fs/atomic-write.js';

export function emptyLockfile(): Lockfile {
  return { lockfile_version: 1, plugins: {} };
}

/** An entry's plugin dir under plugins/: the bare id, or `<alias>.<id>` (':' breaks Windows paths). */
export function pluginDirFor(id: string): string {
  const colon = id.indexOf(':');
  return colon === -1 ? id : `${id.slice(0, colon)}.${id.slice(colon + 1)}`;
}

/** Where an entry's bytes live, relative to home: the only path the client ever writes for it (DESIGN §4 step 5). */
export function lockPathFor(id: string, version: string, sha256: string): string {
  return `plugins/${pluginDirFor(id)}/${version}-${sha256.slice(0, 12)}/plugin.wasm`;
}

/**
 * Whether `path` is where the client would have put this entry: its own plugin dir and version. The sha12 is
 * only required to be hex, so an edited hash stays readable and is caught where it matters (run, verify).
 */
function pathFits(e: LockEntry): boolean {
  const parts = e.path.split('/');
  const versionDir = parts[2] ?? '';
  return (
    parts.length === 4 &&
    parts[0] === 'plugins' &&
    parts[1] === pluginDirFor(e.id) &&
    parts[3] === 'plugin.wasm' &&
    versionDir.startsWith(`${e.version}-`) &&
    /^[0-9a-f]{12}$/.test(versionDir.slice(e.version.length + 1))
  );
}

/** The home-relative components of an entry's version dir (`plugins/<dir>/<version>`), from a checked path. */
export function versionDirOf(entry: Pick<LockEntry, 'path'>): [string, string, string] {
  const [plugins, dir, version] = entry.path.split('/');
  return [plugins as string, dir as string, version as string];
}

/**
 * Parse and check a lockfile's text: the schema and its rules (ids, paths, permissions), and every entry's path
 * must lie in its own plugin and version dir, so an edited lockfile can't point an uninstall or an update at
 * anything but that plugin's own files. A path that could leave the home is E_PATH_ESCAPE, anything else
 * E_LOCK_MISMATCH; the caller has changed nothing yet.
 */
export function parseLockfile(text: string, where: string): Lockfile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new WharfError(
      'E_LOCK_MISMATCH',
      `The lockfile ${where} is not valid JSON (${(e as Error).message}); restore it or remove it and reinstall.`,
    );
  }
  const v = validateLockfile(parsed);
  if (!v.ok) {
    const escaping = v.problems.find((p) => p.code === 'E_PATH_ESCAPE');
    const first = escaping ?? v.problems[0];
    throw new WharfError(
      escaping ? 'E_PATH_ESCAPE' : 'E_LOCK_MISMATCH',
      `The lockfile ${where} is not a valid Wharf lockfile: ${first?.message ?? 'unknown problem'}. Nothing was changed; restore it or remove it and reinstall.`,
      { problems: v.problems },
    );
  }
  const lock = v.value;
  for (const [key, e] of Object.entries(lock.plugins)) {
    if (!pathFits(e))
      throw new WharfError(
        'E_LOCK_MISMATCH',
        `The lockfile ${where} records ${key} at ${JSON.stringify(e.path)}, outside its own version dir (${lockPathFor(e.id, e.version, e.sha256)}). Nothing was changed; restore the lockfile or reinstall ${key}.`,
      );
  }
  // A null-prototype map: ids come from disk and must never reach Object.prototype.
  lock.plugins = Object.assign(Object.create(null) as Record<string, LockEntry>, lock.plugins);
  return lock;
}

/** The lockfile, validated on every read (DESIGN §4: the home is untrusted input). */
export function readLockfile(path: string): Lockfile {
  let text: string;
  try {
    if (lstatSync(path).isSymbolicLink())
      throw new WharfError('E_PATH_ESCAPE', `Refusing the lockfile ${path}: it is a symbolic link.`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyLockfile();
    throw e;
  }
  return parseLockfile(text, path);
}

/** The lockfile is replaced whole and atomically; a crash leaves the old one. Callers hold the home lock. */
export function writeLockfile(path: string, lock: Lockfile): void {
  const sorted: Record<string, LockEntry> = {};
  for (const id of Object.keys(lock.plugins).sort()) sorted[id] = lock.plugins[id] as LockEntry;
  writeFileAtomic(path, `${JSON.stringify({ lockfile_version: 1, plugins: sorted }, null, 2)}\n`);
}
