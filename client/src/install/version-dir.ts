import { removeInHome } from '../home/home-path.js';
import type { HomePaths } from '../home.js';
import { versionDirOf } from '../lockfile.js';

// Its own module so that `wharf uninstall` (client.ts) need not load the install pipeline to delete a directory.
/** Remove an entry's version dir (`plugins/<dir>/<version>`), from a validated lockfile path; links are refused. */
export function removeVersionDir(home: HomePaths, relWasm: string): void {
  removeInHome(home.root, versionDirOf({ path: relWasm }), 'dir');
}
