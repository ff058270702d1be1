// The one module between the search UI and an engine. The page (scripts/search-client.ts) opens an engine
// here and the pages only see SearchHit rows, so switching engines is a change to this file alone.
// Today: the sharded index of @wharf/schemas/search-index, written by the build under search-index/
// (pages/search-index/[...file].ts); a query loads the manifest and then only the chunks it needs.

import { openSearchIndex, type SearchDoc, type SearchQueryResult } from '@wharf/schemas/search-index';
import { manifestUrl, SEARCH_INDEX_DIR } from './search-index-url.js';

/** What a result row needs to render (the index's display doc). */
export type SearchHit = Pick<SearchDoc, 'id' | 'name' | 'name_zh' | 'short' | 'short_zh' | 'category' | 'verified'>;
export interface SearchFilters {
  category?: string;
  tag?: string;
  verified?: boolean;
}
export interface SearchResult {
  total: number;
  hits: SearchHit[];
  /** When nothing matches: the plugins whose names are nearest the query. */
  closest: SearchHit[];
}
export interface SearchEngine {
  /** `onPartial` sees the top hits while lower ones' docs are still loading (the first query on a cold page). */
  query(
    q: string,
    filters: SearchFilters,
    limit: number,
    onPartial?: (partial: SearchResult) => void,
  ): Promise<SearchResult>;
}

const hit = (d: SearchDoc): SearchHit => ({
  id: d.id,
  name: d.name,
  ...(d.name_zh ? { name_zh: d.name_zh } : {}),
  short: d.short,
  ...(d.short_zh ? { short_zh: d.short_zh } : {}),
  category: d.category,
  verified: d.verified,
});

/**
 * @param root the site's base URL ("/" or "/wharf/"); the index is under SEARCH_INDEX_DIR there
 * @param manifest the manifest's text when the page fetched it already (it starts that fetch beside loading
 *   this module's chunk, rather than after it)
 */
export async function openEngine(
  root: string,
  load: (url: string) => Promise<string>,
  manifest: Promise<string> = load(manifestUrl(root)),
): Promise<SearchEngine> {
  const dir = `${root}${SEARCH_INDEX_DIR}`;
  const index = openSearchIndex(await manifest, (path) => load(`${dir}${path}`));
  return {
    async query(q, filters, limit, onPartial) {
      // The index filters by category and verified; a tag is one more word every hit must have.
      const text = filters.tag ? `${q} ${filters.tag}` : q;
      const opts = {
        limit,
        ...(filters.category ? { category: filters.category } : {}),
        ...(filters.verified ? { verified: true } : {}),
        ...(onPartial
          ? { onPartial: (r: SearchQueryResult) => onPartial({ total: r.total, hits: r.hits.map(hit), closest: [] }) }
          : {}),
      };
      // One-edit typos (a swapped pair too, "vowle") are the index's own rule (query-index.ts).
      const r = await index.query(text, opts);
      return { total: r.total, hits: r.hits.map(hit), closest: (r.closest ?? []).map(hit) };
    },
  };
}
