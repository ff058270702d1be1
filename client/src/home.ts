import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanStaleTemps } from './fs/atomic-write.js';
import { clearStaleClaims, deferToFirstLock } from './home/home-lock.js';
import { ensureHomeDir } from './home/home-path.js';

/** Where everything of one Wharf installation lives. */
export interface HomePaths {
  root: string;
  sourcesFile: string;
  lockfile: string;
  /** The writers' lock (home/home-lock.ts); not to be confused with the lockfile of installed plugins. */
  homeLock: string;
  plugins: string;
  cache: string;
  indexCache: string;
  artifacts: string;
  tmp: string;
  keys: string;
  trustDir(alias: string): string;
}

/** The OS data dir, as users of such tools expect (XDG on Linux, Library on macOS, APPDATA on Windows). */
export function defaultHome(): string {
  if (process.env.WHARF_HOME) return process.env.WHARF_HOME;
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'wharf');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'wharf');
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'wharf');
}

export function homePaths(root: string = defaultHome()): HomePaths {
  root = resolve(root);
  return {
    root,
    sourcesFile: join(root, 'sources.json'),
    lockfile: join(root, 'wharf.lock.json'),
    homeLock: join(root, 'home.lock'),
    plugins: join(root, 'plugins'),
    cache: join(root, 'cache'),
    indexCache: join(root, 'cache', 'index'),
    artifacts: join(root, 'cache', 'artifacts'),
    tmp: join(root, 'tmp'),
    keys: join(root, 'keys'),
    trustDir: (alias: string) => join(root, 'trust', alias),
  };
}

/** The layout's directories, relative to the root; each is checked (no links) before it is used or cleaned. */
export const HOME_DIRS = {
  plugins: ['plugins'],
  indexCache: ['cache', 'index'],
  artifacts: ['cache', 'artifacts'],
  tmp: ['tmp'],
} as const;

/**
 * Create the home layout and clear what a crashed run left in it. A link at any of the layout's directories is
 * refused (E_PATH_ESCAPE): following it would create and clean files outside the home. `sweep: 'first-lock'`
 * clears the leftovers when this process first takes the home lock instead (a client that may only read: the CLI,
 * whose read-only commands then skip ~0.5 ms of directory listings that grow with the plugins installed; nothing
 * a reader reads is a temp file, and every writer takes the lock first).
 */
export function openHome(root?: string, opts: { sweep?: 'open' | 'first-lock' } = {}): HomePaths {
  const h = homePaths(root);
  ensureHomeDir(h.root);
  if (opts.sweep === 'first-lock') {
    for (const d of Object.values(HOME_DIRS)) ensureHomeDir(h.root, ...d);
    deferToFirstLock(h, () => sweepHome(h));
  } else sweepHome(h); // which makes the layout's directories as it checks them
  return h;
}

/** Remove the temp files and dirs and the takeover claims that crashed runs left in the home's layout. */
export function sweepHome(h: HomePaths): void {
  // Each directory checked again as it is listed: a deferred sweep runs a while after openHome checked them.
  const [indexCache, artifacts, tmp, plugins] = [
    HOME_DIRS.indexCache,
    HOME_DIRS.artifacts,
    HOME_DIRS.tmp,
    HOME_DIRS.plugins,
  ].map((d) => ensureHomeDir(h.root, ...d)) as [string, string, string, string];
  for (const d of [h.root, indexCache, artifacts, tmp]) cleanStaleTemps(d);
  clearStaleClaims(h);
  // Staged version dirs live beside their final place (same filesystem, so the rename is atomic).
  for (const d of readdirSync(plugins, { withFileTypes: true })) {
    if (d.isDirectory()) cleanStaleTemps(join(plugins, d.name));
  }
}

/** A layout directory, re-checked at the moment it is used (it may have been replaced since openHome). */
export function layoutDir(h: HomePaths, which: keyof typeof HOME_DIRS): string {
  return ensureHomeDir(h.root, ...HOME_DIRS[which]);
}
