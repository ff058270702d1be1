import { searchTokens } from '@wharf/schemas';
import type { SearchIndex, SearchIndexHit, SearchQueryOptions } from '@wharf/schemas/search-index';
import type { SearchFilters } from './search.js';

/** Docs of the ranking read per page (the engine answers at most 1,000), and in all (or twice the limit). */
const MIN_PAGE = 20;
const MAX_PAGE = 1000;
export const TAG_SCAN_DOCS = 400;

/**
 * A sharded search with --tag. The index filters by category and verified only, so the tagged docs are taken from
 * the ranking page by page until `limit` are found (at most TAG_SCAN_DOCS read, or twice `limit`). The tag's words
 * are put in the query too (first, so that the user's last word keeps its prefix match): tags are indexed text, so
 * the ranking then holds the docs that carry those words, and the first page is usually enough. Before, only the
 * best 200 of the query alone were filtered, and a tag rarer than that among them found nothing.
 */
export async function queryWithTag(
  idx: Pick<SearchIndex, 'query'>,
  query: string,
  tag: string,
  opts: Omit<SearchQueryOptions, 'limit' | 'offset'>,
  limit: number,
): Promise<SearchIndexHit[]> {
  const q = [...searchTokens(tag), query].join(' ').trim();
  const page = Math.min(Math.max(2 * limit, MIN_PAGE), MAX_PAGE);
  const scan = Math.max(TAG_SCAN_DOCS, 2 * limit);
  const out: SearchIndexHit[] = [];
  for (let offset = 0; offset < scan && out.length < limit; offset += page) {
    const r = await idx.query(q, { ...opts, limit: page, offset });
    for (const h of r.hits) if ((h.tags ?? []).includes(tag)) out.push(h);
    if (offset + page >= r.total) break;
  }
  return out.slice(0, limit);
}

/** A query with `wharf search`'s filters: category and verified by the index, a tag through queryWithTag. */
export async function queryFiltered(
  idx: Pick<SearchIndex, 'query'>,
  query: string,
  filters: SearchFilters,
  limit: number,
): Promise<SearchIndexHit[]> {
  const opts = {
    ...(filters.category ? { category: filters.category } : {}),
    ...(filters.verified ? { verified: true } : {}),
  };
  if (filters.tag) return queryWithTag(idx, query, filters.tag, opts, limit);
  return (await idx.query(query, { ...opts, limit })).hits;
}
