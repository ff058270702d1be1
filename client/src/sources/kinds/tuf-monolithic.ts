// A TUF source whose only target is registry.json: the verified snapshot holds every plugin.
import type { SourceKind } from '../source-kind.js';
import { tufSigned } from './tuf-signed.js';

export const tufMonolithic: SourceKind = {
  ...tufSigned,
  name: 'tuf-monolithic',
  ensure: () => [],
  // The refresh keeps the search index of each snapshot it stores (search/built-search.ts); a sharded one's is signed.
  async refresh(home, src, opts) {
    const snap = await tufSigned.refresh(home, src, opts);
    if (!snap.sharded) (await import('../../search/built-search.js')).keepBuiltSearch(home, snap);
    return snap;
  },
  async search(_ctx, catalog, query, filters) {
    // The search engine is loaded by the first search, not by every command.
    const { searchCatalog } = await import('../../search/search.js');
    return searchCatalog(catalog, query, filters);
  },
  // The index the refresh kept answers a query without the catalog (listing everything, no query, needs it).
  async searchKept(ctx, src, query, filters) {
    const [{ isNotBuilt, openBuiltSearch }, { hasWords, searchIndex }] = await Promise.all([
      import('../../search/built-search.js'),
      import('../../search/search.js'),
    ]);
    const idx = hasWords(query) ? openBuiltSearch(ctx.home, src.alias, src.index.sha256) : undefined;
    if (!idx) return undefined;
    try {
      return await searchIndex(idx, query, filters, src.alias, src.current);
    } catch (e) {
      if (isNotBuilt(e)) return undefined;
      throw e;
    }
  },
};
