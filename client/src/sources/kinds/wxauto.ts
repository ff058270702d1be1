// A legacy WXAUTO-MGT registry.json (DESIGN §2): unsigned, so it is added with no root, its refresh report says
// `unverified`, search answers by WXAUTO-MGT's own rules, and installing needs --allow-unpinned (E_UNPINNED).
import { WharfError } from '@wharf/schemas';
import { readWxautoCache, refreshWxautoSource } from '../../legacy/wxauto-source.js';
import type { InstallStrategy, SourceKind } from '../source-kind.js';

// The legacy install brings the install pipeline: loaded when used.
const installingLegacy = () => import('../../legacy/wxauto-install.js');

/** Each plugin on its own: its bytes are hashed as they stream in, and that sha256 is what the lockfile pins. */
const legacyInstaller: InstallStrategy = {
  async check(catalog, addrs, opts) {
    const { refuseLegacy } = await installingLegacy();
    for (const a of addrs) refuseLegacy(catalog.find(a), opts);
  },
  async install(ctx, catalog, addrs, opts) {
    const { installWxauto } = await installingLegacy();
    const results = [];
    for (const a of addrs) results.push(await installWxauto(ctx.home, catalog, a, { offline: ctx.offline, ...opts }));
    return results;
  },
};

export const wxauto: SourceKind = {
  name: 'wxauto',
  rank: 1,
  async add(_mirrors, input) {
    if (input.rootSha256 || input.rootFile)
      throw new WharfError('E_USAGE', 'A wxauto source is unsigned: it takes no --root-sha256 or --root-file.');
    return { fields: {}, store: () => {} };
  },
  refresh: (home, src, opts) => refreshWxautoSource(home, src, opts),
  readCache: readWxautoCache,
  reportFields: () => ({ unverified: true }),
  ensure: () => [],
  async search(_ctx, catalog, query, filters) {
    const { searchWxauto } = await import('../../legacy/wxauto-search.js');
    return searchWxauto(catalog.entries, query, filters);
  },
  info: async (entry) => ({ legacy: (await installingLegacy()).legacyInfo(entry) }),
  installer: legacyInstaller,
};
