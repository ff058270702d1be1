import { lstatSync, mkdirSync, realpathSync, rmSync, type Stats } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { WharfError } from '@wharf/schemas';

// The one module that turns names under the home into paths (DESIGN §4: the home is untrusted input). Every
// remove, rename and write under the home goes through it: each component below the root is a plain name (no
// "..", no separator), and each existing one is lstat'ed, so a symlink planted anywhere under the home is
// refused before anything is read through it or written behind it. The root itself may be a link: that is
// where the user chose to keep the home. Links that stay inside the home are refused too: nothing Wharf
// writes is a link, and following one would need the same checks again for its target.

/** A name read from a file or the command line is one path component, never a path. */
export function checkSegment(s: string, where = 'a path component'): void {
  if (
    typeof s !== 'string' ||
    s === '' ||
    s === '.' ||
    s === '..' ||
    s.includes('/') ||
    s.includes('\\') ||
    s.includes('\0') ||
    /^[A-Za-z]:/.test(s)
  ) {
    throw new WharfError(
      'E_PATH_ESCAPE',
      `Refusing ${where} ${JSON.stringify(s)}: it is not a plain name inside the home.`,
    );
  }
}

// throwIfNoEntry: a missing entry is an answer, not an Error with a stack (a warm search checks dozens of paths).
const lstatOrUndefined = (p: string): Stats | undefined => lstatSync(p, { throwIfNoEntry: false });

function refuseLink(p: string, st: Stats): void {
  if (st.isSymbolicLink())
    throw new WharfError(
      'E_PATH_ESCAPE',
      `Refusing ${p}: it is a symbolic link, and nothing under the Wharf home may lead elsewhere. Remove it and retry.`,
      { path: p },
    );
}

/**
 * The directory `segments` under `root`, each component checked and a real directory (created when missing
 * and `create`; default: not). Returns undefined when it is missing and not to be created.
 */
export function homeDir(
  root: string,
  segments: readonly string[],
  opts: { create?: boolean } = {},
): string | undefined {
  const create = opts.create ?? false;
  for (const s of segments) checkSegment(s);
  const base = resolve(root);
  const real = realDirBelow(base, segments);
  if (real !== undefined) return real;
  let cur = base;
  if (!lstatOrUndefined(cur)) {
    if (!create) return undefined;
    mkdirSync(cur, { recursive: true });
  }
  for (const s of segments) {
    cur = join(cur, s);
    let st = lstatOrUndefined(cur);
    if (!st) {
      if (!create) return undefined;
      try {
        mkdirSync(cur);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process made it meanwhile
      }
      st = lstatSync(cur);
    }
    refuseLink(cur, st);
    if (!st.isDirectory())
      throw new WharfError('E_PATH_ESCAPE', `Refusing ${cur}: it is not a directory.`, { path: cur });
  }
  return cur;
}

/**
 * The directory `segments` below `base` when it is there and no component below `base` is a link or not a
 * directory: two realpath calls in place of one lstat per component, each of which cost Node 20 a Stats object
 * (~1.5 KB of young garbage; homeDir's walk was ~6.5 KB a call, called a dozen times by a warm search). Undefined
 * when that does not hold or cannot be told (a missing directory, a link, another kind of entry, a path realpath
 * spells otherwise): the caller then walks the path, and refuses or creates as it always did.
 */
function realDirBelow(base: string, segments: readonly string[]): string | undefined {
  const dir = join(base, ...segments); // base itself when there are none (resolve normalized it)
  try {
    // "<dir>/." resolves only through directories: a file there is ENOTDIR, not itself.
    const resolved = realpathSync.native(`${dir}${sep}.`);
    return resolved === join(realpathSync.native(base), ...segments) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** homeDir with create: always a path. */
export function ensureHomeDir(root: string, ...segments: string[]): string {
  return homeDir(root, segments, { create: true }) as string;
}

/**
 * The file `segments` under `root`, its directories checked (and created when `create`); the file itself may be
 * missing, but when present it must be a regular file, not a link. Writers replace it by rename. Nothing is
 * created unless `create`.
 */
export function homeFile(root: string, segments: readonly string[], opts: { create?: boolean } = {}): string {
  const name = segments.at(-1);
  if (name === undefined) throw new WharfError('E_PATH_ESCAPE', 'Refusing an empty path under the home.');
  checkSegment(name);
  const dir = homeDir(root, segments.slice(0, -1), opts);
  if (dir === undefined) return join(resolve(root), ...segments); // nothing there yet, so nothing to follow
  return fileInHomeDir(dir, name);
}

/**
 * The file `name` in `dir`, a directory homeDir returned: checked as homeFile checks its last component. For
 * many files of one directory (a search's chunks), which then pay one lstat each instead of one per component.
 */
export function fileInHomeDir(dir: string, name: string): string {
  return checkedFileIn(dir, name).path;
}

/** fileInHomeDir for a reader: the path when the file is there, else undefined (the same lstat answers both). */
export function presentFileInHomeDir(dir: string, name: string): string | undefined {
  const { path, present } = checkedFileIn(dir, name);
  return present ? path : undefined;
}

function checkedFileIn(dir: string, name: string): { path: string; present: boolean } {
  checkSegment(name);
  // dir is a path homeDir made (normalized) and name one plain component: join's normalizing is not needed.
  const p = dir.endsWith(sep) ? dir + name : dir + sep + name;
  const st = lstatOrUndefined(p);
  if (st) {
    refuseLink(p, st);
    if (!st.isFile()) throw new WharfError('E_PATH_ESCAPE', `Refusing ${p}: it is not a regular file.`, { path: p });
  }
  return { path: p, present: st !== undefined };
}

/**
 * Remove the file or directory `segments` under `root` (a directory recursively; rm never follows the links
 * inside it). A link there, or the other kind of entry, is refused; a missing one is nothing to do.
 * Returns whether something was removed.
 */
export function removeInHome(root: string, segments: readonly string[], kind: 'dir' | 'file'): boolean {
  if (segments.length === 0) throw new WharfError('E_PATH_ESCAPE', 'Refusing to remove the home itself.');
  const checked = checkRemoval(root, segments, kind);
  if (checked === undefined) return false;
  rmSync(checked, { recursive: kind === 'dir', force: true });
  return true;
}

/** What removeInHome would remove (its refusals included), without removing it: callers check everything first. */
export function checkRemoval(root: string, segments: readonly string[], kind: 'dir' | 'file'): string | undefined {
  const name = segments.at(-1) as string;
  checkSegment(name);
  const dir = homeDir(root, segments.slice(0, -1), { create: false });
  if (dir === undefined) return undefined;
  const p = join(dir, name);
  const st = lstatOrUndefined(p);
  if (!st) return undefined;
  refuseLink(p, st);
  if (kind === 'dir' ? !st.isDirectory() : !st.isFile())
    throw new WharfError(
      'E_PATH_ESCAPE',
      `Refusing to remove ${p}: it is not a ${kind === 'dir' ? 'directory' : 'regular file'}.`,
      {
        path: p,
      },
    );
  return p;
}
