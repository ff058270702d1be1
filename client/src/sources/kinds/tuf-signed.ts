// What the two TUF kinds share: the root they are anchored to, refresh through one tuf-js Updater (refresh.ts
// tells the layouts apart from the verified targets metadata), the verified cache, the mirror test, and the
// signed install (the stale guard, then the planner).
import { readCachedIndex } from '../../index/index-cache.js';
import { guardStaleInstall } from '../../index/stale-guard.js';
import { trustRecordPath } from '../../index/trust-record.js';
import { obtainRoot, storeRoot, trustedMetadata } from '../root-trust.js';
import type { InstallStrategy, SourceKind } from '../source-kind.js';

// tuf-js is loaded by the first refresh, not by every command that reads the cache (`wharf list`, `search`);
// the install pipeline (semver, signing, WASM admission) by the first install.
const refreshing = () => import('../../index/refresh.js');
const installing = () => import('../../install/install.js');

/** Signed plugins: every index pin and author signature checked; from a stale index only what is cached. */
export const signedInstaller: InstallStrategy = {
  async install(ctx, catalog, addrs, opts) {
    const { installPlugins } = await installing();
    return guardStaleInstall(catalog, addrs, ctx.offline, (offline) =>
      installPlugins(ctx.home, catalog, addrs, { offline, ...opts }),
    );
  },
};

export const tufSigned: Omit<SourceKind, 'name' | 'ensure' | 'search'> = {
  rank: 0,
  async add(mirrors, input) {
    const root = await obtainRoot(mirrors, input);
    return { fields: { root_sha256: root.sha256 }, store: (home, alias) => storeRoot(home, alias, root.bytes) };
  },
  // A link at trust/<alias> or at a file a refresh reads there is refused (E_PATH_ESCAPE) before anything is fetched
  // or written.
  checkHome: (home, alias) => {
    trustedMetadata(home, alias);
    trustRecordPath(home, alias);
  },
  refresh: async (home, src, opts) => (await refreshing()).refreshSource(home, src, opts),
  // Reads: a cache file still the one its meta recorded is not hashed again (fs/file-stamp.ts).
  readCache: (home, alias) => readCachedIndex(home, alias, { trustStamp: true }),
  test: async (home, src, opts) => (await refreshing()).testMirrors(home, src, opts),
  info: async () => ({}),
  installer: signedInstaller,
};
