// The files of the site's search index, by path under search-index/: the manifest and the content-addressed
// term and doc chunks it names (@wharf/schemas/search-index). The publisher's id buckets (i/) are left out: no
// query reads them. Shared by the build (pages/search-index/[...file].ts) and the tests. Suspended plugins keep
// their pages (labelled) but are not found, as in the CLI and the publisher's signed index.
import type { RegistryPlugin } from '@wharf/schemas';
import { buildSearchIndex, isSearchable, toSearchDocInput } from '@wharf/schemas/search-index';

export { SEARCH_INDEX_DIR } from './search-index-url.js';

export function searchIndexFiles(plugins: RegistryPlugin[]): Map<string, string> {
  const { files } = buildSearchIndex(plugins.filter(isSearchable).map(toSearchDocInput));
  return new Map([...files].filter(([path]) => !path.startsWith('i/')));
}
