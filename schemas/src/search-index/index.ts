// @wharf/schemas/search-index: the sharded search index (format, build, update, query). Browser-safe.

export { buildSearchIndex } from './build-index.js';
export { sha256Hex, sha256HexSync } from './content-hash.js';
export { displayDoc, idf, isSearchable, toSearchDocInput } from './doc-terms.js';
export * from './index-format.js';
export type {
  OpenSearchIndexOptions,
  SearchIndex,
  SearchIndexHit,
  SearchQueryOptions,
  SearchQueryResult,
} from './query-index.js';
export { editDistance, MATCH_RULES, oneEditApart, openSearchIndex } from './query-index.js';
export { updateSearchIndex } from './update-index.js';
