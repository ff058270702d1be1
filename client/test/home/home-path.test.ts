import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WharfError } from '@wharf/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkRemoval,
  checkSegment,
  ensureHomeDir,
  homeDir,
  homeFile,
  removeInHome,
} from '../../src/home/home-path.js';
import { openHome } from '../../src/home.js';

// The one module that makes paths under the home: plain names only, no links anywhere below the root.

const roots: string[] = [];
function box(): { root: string; outside: string } {
  const b = mkdtempSync(join(tmpdir(), 'wharf-homepath-'));
  roots.push(b);
  const outside = join(b, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'keep.txt'), 'keep');
  return { root: join(b, 'home'), outside };
}
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as WharfError).code;
  }
  return undefined;
};

describe('home-path', () => {
  it('refuses names that are paths', () => {
    for (const s of ['', '.', '..', 'a/b', 'a\\b', 'x\0', 'C:x'])
      expect(code(() => checkSegment(s))).toBe('E_PATH_ESCAPE');
    expect(code(() => checkSegment('1.0.0-abcdef123456'))).toBeUndefined();
    expect(code(() => ensureHomeDir('/tmp', 'plugins', '..', 'etc'))).toBe('E_PATH_ESCAPE');
  });

  it('creates directories only when asked, and refuses a link at any component', () => {
    const { root, outside } = box();
    expect(homeDir(root, ['cache', 'index'])).toBeUndefined();
    expect(existsSync(root)).toBe(false);
    ensureHomeDir(root, 'cache');
    symlinkSync(outside, join(root, 'cache', 'artifacts'));
    expect(code(() => ensureHomeDir(root, 'cache', 'artifacts', 'sha256'))).toBe('E_PATH_ESCAPE');
    expect(code(() => homeFile(root, ['cache', 'artifacts', 'x']))).toBe('E_PATH_ESCAPE');
    expect(existsSync(join(outside, 'sha256'))).toBe(false);
    // A file where a directory belongs is refused too.
    writeFileSync(join(root, 'tmp'), '');
    expect(code(() => ensureHomeDir(root, 'tmp'))).toBe('E_PATH_ESCAPE');
  });

  it('refuses a link that stays inside the home, and keeps a home that is itself a link', () => {
    // homeDir asks realpath first and walks the path only when the answer differs: links whose targets are real
    // directories inside the home (where realpath ends somewhere plausible) must still be refused.
    const { root, outside } = box();
    ensureHomeDir(root, 'cache', 'real');
    symlinkSync(join(root, 'cache', 'real'), join(root, 'cache', 'index')); // absolute, inside the home
    symlinkSync('.', join(root, 'cache', 'here')); // relative, to its own directory
    symlinkSync('..', join(root, 'up'));
    for (const segs of [['cache', 'index'], ['cache', 'here'], ['cache', 'here', 'real'], ['up'], ['up', 'home']])
      expect(
        code(() => homeDir(root, segs)),
        segs.join('/'),
      ).toBe('E_PATH_ESCAPE');
    expect(code(() => homeFile(root, ['cache', 'index', 'main.meta.json']))).toBe('E_PATH_ESCAPE');
    // The root may be a link (where the user keeps the home): paths are made under the name given, not its target.
    const linked = join(outside, 'home-link');
    symlinkSync(root, linked);
    expect(homeDir(linked, ['cache', 'real'])).toBe(join(linked, 'cache', 'real'));
    expect(homeDir(linked, [])).toBe(linked);
    expect(code(() => homeDir(linked, ['cache', 'index']))).toBe('E_PATH_ESCAPE');
    expect(homeDir(linked, ['cache', 'missing'])).toBeUndefined();
  });

  it('refuses a linked file, and removes only real entries of the kind asked for', () => {
    const { root, outside } = box();
    ensureHomeDir(root, 'trust', 'a');
    symlinkSync(join(outside, 'keep.txt'), join(root, 'trust', 'a', 'root.json'));
    expect(code(() => homeFile(root, ['trust', 'a', 'root.json']))).toBe('E_PATH_ESCAPE');
    expect(code(() => removeInHome(root, ['trust', 'a', 'root.json'], 'file'))).toBe('E_PATH_ESCAPE');
    symlinkSync(outside, join(root, 'trust', 'b'));
    expect(code(() => removeInHome(root, ['trust', 'b'], 'dir'))).toBe('E_PATH_ESCAPE');
    expect(code(() => removeInHome(root, ['trust', 'a'], 'file'))).toBe('E_PATH_ESCAPE');
    expect(existsSync(join(outside, 'keep.txt'))).toBe(true);
    expect(removeInHome(root, ['trust', 'missing'], 'dir')).toBe(false);
    expect(checkRemoval(root, ['nothing', 'here'], 'dir')).toBeUndefined();
    rmSync(join(root, 'trust', 'a', 'root.json'));
    // A real dir holding a link: removed, and the link's target is not followed.
    symlinkSync(outside, join(root, 'trust', 'a', 'inner'));
    expect(removeInHome(root, ['trust', 'a'], 'dir')).toBe(true);
    expect(existsSync(join(root, 'trust', 'a'))).toBe(false);
    expect(existsSync(join(outside, 'keep.txt'))).toBe(true);
  });

  it('openHome refuses a layout dir that is a link, before creating or cleaning anything behind it', () => {
    const { root, outside } = box();
    mkdirSync(join(root, 'cache'), { recursive: true });
    symlinkSync(outside, join(root, 'tmp'));
    // A temp name of a dead pid: what openHome's cleaner removes, were it to follow the link.
    writeFileSync(join(outside, '.wharf-tmp-x.4206649.ab'), 'a temp file of somebody else');
    expect(code(() => openHome(root))).toBe('E_PATH_ESCAPE');
    expect(existsSync(join(outside, '.wharf-tmp-x.4206649.ab'))).toBe(true);
  });
});
