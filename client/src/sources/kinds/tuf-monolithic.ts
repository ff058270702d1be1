// A TUF source whose only target is registry.json: the verified snapshot holds every plugin.
import type { SourceKind } from '../source-kind.js';
import { tufSigned } from './tuf-signed.js';

export const tufMonolithic: SourceKind = {
  ...tufSigned,
  name: 'tuf-monolithic',
  ensure: () => [],
  async search(_ctx, catalog, query, filters) {
    // The search engine is loaded by the first search, not by every command.
    const { searchCatalog } = await import('../../search/search.js');
    return searchCatalog(catalog, query, filters);
  },
};
