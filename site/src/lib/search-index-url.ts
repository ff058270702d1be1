// Where the search index lives under the site's base: its own module, so the page can start the manifest's
// fetch without loading the engine's chunk first (search-client.ts).
export const SEARCH_INDEX_DIR = 'search-index/';

export const manifestUrl = (root: string): string => `${root}${SEARCH_INDEX_DIR}manifest.json`;
