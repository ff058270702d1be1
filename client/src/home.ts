import { mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { cleanStaleTemps } from './fs/atomic-write.js';

/** Where everything of one Wharf installation lives. */
export interface HomePaths {
  root: string;
  sourcesFile: string;
  lockfile: string;
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
  return {
    root,
    sourcesFile: join(root, 'sources.json'),
    lockfile: join(root, 'wharf.lock.json'),
    plugins: join(root, 'plugins'),
    cache: join(root, 'cache'),
    indexCache: join(root, 'cache', 'index'),
    artifacts: join(root, 'cache', 'artifacts'),
    tmp: join(root, 'tmp'),
    keys: join(root, 'keys'),
    trustDir: (alias: string) => join(root, 'trust', alias),
  };
}

/** Create the home layout and clear what a crashed run left in it. */
export function openHome(root?: string): HomePaths {
  const h = homePaths(root);
  for (const d of [h.root, h.plugins, h.indexCache, h.artifacts, h.tmp]) mkdirSync(d, { recursive: true });
  for (const d of [h.root, h.indexCache, h.artifacts, h.tmp]) cleanStaleTemps(d);
  // Staged version dirs live beside their final place (same filesystem, so the rename is atomic).
  for (const d of readdirSync(h.plugins, { withFileTypes: true })) {
    if (d.isDirectory()) cleanStaleTemps(join(h.plugins, d.name));
  }
  return h;
}
