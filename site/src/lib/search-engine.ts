// The one module between the search UI and an engine. The worker (scripts/search-worker.ts) opens an engine
// here and the pages only see SearchHit rows, so switching engines is a change to this file alone.
// Today: the one-file MiniSearch index (search-core.js, /search-index.json).
import { createEngine, type DocRow } from './search-core.js';

/** What a result row needs to render: the sharded engine's SearchDoc shape. */
export interface SearchHit {
  id: string;
  name: string;
  name_zh?: string;
  short: string;
  short_zh?: string;
  category: string;
  verified: boolean;
}
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
  query(q: string, filters: SearchFilters, limit: number): Promise<SearchResult>;
}

const hit = ([id, name, nameZh, text, textZh, category, , verified]: DocRow): SearchHit => ({
  id,
  name,
  ...(nameZh ? { name_zh: nameZh } : {}),
  short: text,
  ...(textZh ? { short_zh: textZh } : {}),
  category,
  verified: verified === 1,
});

const CLOSEST = 3;

/** @param root the site's base URL ("/" or "/wharf/"), where the index files live */
export async function openEngine(root: string, load: (url: string) => Promise<string>): Promise<SearchEngine> {
  const engine = createEngine(await load(`${root}search-index.json`));
  return {
    async query(q, filters, limit) {
      const { total, rows } = engine.query(q, filters, limit);
      let closest: SearchHit[] = [];
      if (total === 0 && q.trim() !== '') closest = engine.closest(q, CLOSEST).map(hit);
      return { total, hits: rows.map(hit), closest };
    },
  };
}
