import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isWharfError, TEMP_MARK, type WharfError } from '@wharf/client';
import { expect } from 'vitest';

/**
 * Every file under `dir` with its sha256, and every empty dir (as `dir/`): two equal snapshots mean
 * byte-identical trees, and a refusal that leaves an empty dir behind shows.
 */
export function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    const names = readdirSync(d);
    if (names.length === 0 && d !== dir) out[`${relative(dir, d)}/`] = 'empty dir';
    for (const name of names) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else
        out[relative(dir, p)] = st.isSymbolicLink()
          ? 'symlink'
          : createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** Temp files and dirs a refusal must not leave behind. */
export function tempLeftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (name.startsWith(TEMP_MARK)) found.push(relative(dir, p));
      if (lstatSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return found;
}

/** The state a refusal must leave untouched: lockfile, plugins, trusted metadata, cached index. */
export function userState(home: string): Record<string, string> {
  const s = snapshotDir(home);
  // The stale marker records that the last refresh failed, which is what a refused refresh must say. The home
  // lock is not state: a killed writer leaves it behind, and the next writer takes it over.
  delete s['home.lock'];
  for (const k of Object.keys(s))
    if (k.startsWith('tmp/') || k.startsWith('cache/artifacts/') || /^cache\/index\/[^/]+\.stale\.json$/.test(k))
      delete s[k];
  return s;
}

/** The WharfError `p` rejects with; anything else (or no rejection at all) fails the test. */
export async function refusalOf(p: Promise<unknown>): Promise<WharfError> {
  try {
    await p;
  } catch (e) {
    if (isWharfError(e)) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

/** The refusal contract (DESIGN §8): the code, byte-identical user state in `home`, and no temp files. */
export async function expectRefusal(home: string, code: string, act: () => Promise<unknown>): Promise<WharfError> {
  const before = userState(home);
  const err = (await act().then(
    () => undefined,
    (e: unknown) => e,
  )) as WharfError;
  expect(err?.code, String(err?.message)).toBe(code);
  expect(userState(home)).toEqual(before);
  expect(tempLeftovers(home)).toEqual([]);
  return err;
}
