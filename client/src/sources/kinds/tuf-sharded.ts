// A TUF source sharded by hashed bins (DESIGN §3 "At scale"): its snapshot holds the head and only the plugin
// files fetched so far, so a command names the ids it needs and the layer fetches those files first.
import { isValidId } from '@wharf/schemas';
import { Catalog } from '../../index/catalog.js';
import type { SearchHit } from '../../search/search.js';
import type { SourceKind } from '../source-kind.js';
import { currentSource, findSource } from '../sources-config.js';
import { tufSigned } from './tuf-signed.js';

export const tufSharded: SourceKind = {
  ...tufSigned,
  name: 'tuf-sharded',
  // Its snapshot holds the plugin files fetched so far, not the index's count: the report says which it is.
  reportFields: () => ({ sharded: true }),
  // A legacy-shaped id (not the id rule) can't name a signed plugin file; the catalog refuses it later.
  ensure: (snap, ids) =>
    [...new Set(ids)].filter((id) => isValidId(id) && !snap.registry.plugins.some((p) => p.plugin_id === id)),
  // Through the source's signed search index (search/sharded-search.ts); a registry sharded before it signed
  // one falls back to the catalog search over the plugin files fetched so far.
  async search(ctx, catalog, query, filters) {
    const [{ searchShardedSource }, { searchCatalog }] = await Promise.all([
      import('../../search/sharded-search.js'),
      import('../../search/search.js'),
    ]);
    const current = currentSource(catalog.sources)?.alias;
    const hits: SearchHit[] = [];
    for (const snap of catalog.snapshots) {
      const found = await searchShardedSource(
        {
          home: ctx.home,
          src: findSource(catalog.sources, snap.alias),
          current: snap.alias === current,
          offline: ctx.offline,
          limits: ctx.refreshOpts.limits,
          hedgeDelayMs: ctx.refreshOpts.hedgeDelayMs,
          locked: ctx.locked,
          installed: ctx.installedIds(snap.alias),
        },
        query,
        filters,
      );
      hits.push(...(found ?? (await searchCatalog(new Catalog(catalog.sources, [snap]), query, filters))));
    }
    return hits;
  },
};
