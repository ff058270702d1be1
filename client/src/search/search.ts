import MiniSearch from 'minisearch';
import type { Catalog, CatalogEntry } from '../index/catalog.js';

export interface SearchFilters {
  category?: string;
  tag?: string;
  verified?: boolean;
}

export interface SearchHit {
  address: string;
  plugin_id: string;
  source: string;
  name: string;
  short_description: string;
  category: string;
  tags: string[];
  latest: string;
  verified: boolean;
  featured: boolean;
  score: number;
}

interface Doc {
  i: number;
  plugin_id: string;
  name: string;
  short_description: string;
  description: string;
  tags: string;
}

// Short terms get exact or prefix matches only; fuzzy matching of 2-3 letters returns noise (DESIGN §9).
const fuzzyFor = (term: string) => (term.length > 4 ? 0.2 : false);
const prefixFor = (term: string) => term.length > 1;

/** Catalog search with MiniSearch: AND of terms, prefix and fuzzy bounded by term length, id and name boosted. */
export function searchCatalog(catalog: Catalog, query: string, filters: SearchFilters = {}): SearchHit[] {
  const pool = catalog.entries.filter((e) => matchesFilters(e, filters) && e.plugin.status !== 'suspended');
  const q = query.trim();
  if (!q) return pool.map((e) => toHit(e, 0));
  const ms = new MiniSearch<Doc>({
    idField: 'i',
    fields: ['plugin_id', 'name', 'short_description', 'description', 'tags'],
    // ids like "count-vowels" must match "vowels" and "count" alone.
    tokenize: (text) =>
      text
        .toLowerCase()
        .split(/[\s\-_.,;:!?/()[\]{}"']+/u)
        .filter(Boolean),
    searchOptions: {
      boost: { plugin_id: 3, name: 2, tags: 1.5 },
      prefix: prefixFor,
      fuzzy: fuzzyFor,
      combineWith: 'AND',
    },
  });
  ms.addAll(
    pool.map((e, i) => ({
      i,
      plugin_id: e.plugin.plugin_id,
      name: e.plugin.name,
      short_description: e.plugin.short_description,
      description: e.plugin.description,
      tags: e.plugin.tags.join(' '),
    })),
  );
  return ms.search(q).map((r) => toHit(pool[r.id as number] as CatalogEntry, r.score));
}

function matchesFilters(e: CatalogEntry, f: SearchFilters): boolean {
  if (f.category && e.plugin.category !== f.category) return false;
  if (f.tag && !e.plugin.tags.includes(f.tag)) return false;
  if (f.verified && !e.plugin.verified) return false;
  return true;
}

export function toHit(e: CatalogEntry, score: number): SearchHit {
  const p = e.plugin;
  return {
    address: e.address,
    plugin_id: p.plugin_id,
    source: e.source,
    name: p.name,
    short_description: p.short_description,
    category: p.category,
    tags: p.tags,
    latest: p.versions.latest,
    verified: p.verified,
    featured: p.featured,
    score: Math.round(score * 1000) / 1000,
  };
}
