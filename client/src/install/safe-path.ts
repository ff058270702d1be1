import { lstatSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { WharfError } from '@wharf/schemas';

/**
 * Resolve `parts` under `base` and refuse anything that escapes it or passes through a symlink: a planted
 * link in the plugins dir must not redirect an install elsewhere. Missing directories are created.
 */
export function safeDir(base: string, ...parts: string[]): string {
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
