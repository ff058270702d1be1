// A TUF source sharded by hashed bins (DESIGN §3 "At scale"): its snapshot holds the head and only the plugin
// files fetched so far, so a command names the ids it needs and the layer fetches those files first.
import { isValidId } from '@wharf/schemas';
import type { SourceKind } from '../source-kind.js';
import { tufSigned } from './tuf-signed.js';

export const tufSharded: SourceKind = {
  ...tufSigned,
  name: 'tuf-sharded',
  // A legacy-shaped id (not the id rule) can't name a signed plugin file; the catalog refuses it later.
  ensure: (snap, ids) =>
    [...new Set(ids)].filter((id) => isValidId(id) && !snap.registry.plugins.some((p) => p.plugin_id === id)),
  async search(_ctx, catalog, query, filters) {
    const { searchCatalog } = await import('../../search/search.js');
    // MERGE(searchidx): return searchShardedSource(...) from '../../search/sharded-search.js' here (ctx has the
    // home, the lock and the fetch limits; catalog.source(alias) each snapshot's mirrors); until then the catalog
    // search over the plugin files fetched so far.
    return searchCatalog(catalog, query, filters);
  },
};
