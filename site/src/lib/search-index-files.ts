// The files of the site's search index, by path under search-index/: the manifest and the content-addressed
// term and doc chunks it names (@wharf/schemas/search-index). The publisher's id buckets (i/) are left out: no
// query reads them. Shared by the build (pages/search-index/[...file].ts) and the tests.
import type { RegistryPlugin } from '@wharf/schemas';
import { buildSearchIndex, toSearchDocInput } from '@wharf/schemas/search-index';

export { SEARCH_INDEX_DIR } from './search-index-url.js';

export function searchIndexFiles(plugins: RegistryPlugin[]): Map<string, string> {
  const { files } = buildSearchIndex(plugins.map(toSearchDocInput));
  return new Map([...files].filter(([path]) => !path.startsWith('i/')));
}
