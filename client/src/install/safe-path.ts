import { lstatSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { WharfError } from '@wharf/schemas';

/**
 * Resolve `parts` under `base` and refuse anything that escapes it or passes through a symlink: a planted
 * link in the plugins dir must not redirect an install elsewhere. Missing directories are created.
 */
export function safeDir(base: string, ...parts: string[]): string {
  return walk(base, parts, true);
}

/** safeDir's checks without creating anything: a refused install must not leave even an empty dir behind. */
export function assertSafeDir(base: string, ...parts: string[]): void {
  walk(base, parts, false);
}

function walk(base: string, parts: string[], create: boolean): string {
  const root = resolve(base);
  let cur = root;
  assertNotLink(root);
  for (const part of parts) {
    if (!part || part === '.' || part === '..' || part.includes('/') || part.includes('\\') || part.includes('\0')) {
      throw new WharfError('E_PATH_ESCAPE', `Refusing the path component "${part}".`);
    }
    cur = join(cur, part);
    const rel = relative(root, cur);
    if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
      throw new WharfError('E_PATH_ESCAPE', `Refusing ${cur}: it is outside ${root}.`);
    }
    try {
      assertNotLink(cur);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (!create) return cur; // nothing below a missing dir can be a planted link
      mkdirSync(cur);
    }
  }
  return cur;
}

function assertNotLink(p: string): void {
  const st = lstatSync(p);
  if (st.isSymbolicLink()) throw new WharfError('E_PATH_ESCAPE', `Refusing ${p}: it is a symbolic link.`);
  if (!st.isDirectory()) throw new WharfError('E_PATH_ESCAPE', `Refusing ${p}: it is not a directory.`);
}
