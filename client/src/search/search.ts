import { isCjkTerm, STOP_WORDS, searchTokens } from '@wharf/schemas';
import MiniSearch from 'minisearch';
import type { Catalog, CatalogEntry } from '../index/catalog.js';

export interface SearchFilters {
  category?: string;
  tag?: string;
  verified?: boolean;
  /** Hits per sharded source (default SHARDED_SEARCH_LIMIT); a monolithic source returns all of its hits. */
  limit?: number;
}

export interface SearchHit {
  address: string;
  plugin_id: string;
  source: string;
  name: string;
  name_zh?: string;
  /** The id a legacy (WXAUTO-MGT) source lists the entry under, when it had to be rewritten to the id rule. */
  legacy_id?: string;
  short_description: string;
  category: string;
  tags: string[];
  latest: string;
  verified: boolean;
  featured: boolean;
  /** Release-asset downloads and repository stars as the registry's stats carry them (wharf-admin stats). */
  downloads?: number;
  stars?: number;
  score: number;
}

interface Doc {
  i: number;
  plugin_id: string;
  name: string;
  name_zh: string;
  short_description: string;
  description: string;
  description_zh: string;
  tags: string;
}

// The site's rules (site/src/lib/search-core.js), with its tokenizer from @wharf/schemas: CJK text as bigrams,
// prefix on the term being typed (a single CJK character too), fuzzy only on Latin terms of 4+ characters (as
// the sharded index, @wharf/schemas/search-index, matches one edit from 4 letters).
const fuzzyFor = (term: string) => (term.length >= 4 && !isCjkTerm(term) ? 0.2 : false);
const prefixFor = (term: string, i: number, terms: string[]) =>
  i === terms.length - 1 && (term.length >= 2 || isCjkTerm(term));
const dropStopWords = (term: string) => (STOP_WORDS.has(term) ? null : term);

/** Catalog search with MiniSearch: AND of terms, prefix and fuzzy bounded by term length, id and names boosted. */
export function searchCatalog(catalog: Catalog, query: string, filters: SearchFilters = {}): SearchHit[] {
  const pool = catalog.entries.filter((e) => matchesFilters(e, filters) && e.plugin.status !== 'suspended');
  const q = query.trim();
  if (!q || searchTokens(q).every((t) => STOP_WORDS.has(t))) return pool.map((e) => toHit(e, 0));
  const ms = new MiniSearch<Doc>({
    idField: 'i',
    fields: ['plugin_id', 'name', 'name_zh', 'short_description', 'description', 'description_zh', 'tags'],
    tokenize: searchTokens,
    processTerm: dropStopWords,
    searchOptions: {
      boost: { plugin_id: 3, name: 2, name_zh: 2, tags: 1.5 },
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
      name_zh: e.plugin.name_zh ?? '',
      short_description: e.plugin.short_description,
      description: e.plugin.description,
      description_zh: e.plugin.description_zh ?? '',
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
    ...(p.name_zh ? { name_zh: p.name_zh } : {}),
    ...(p.legacy_id ? { legacy_id: p.legacy_id } : {}),
    short_description: p.short_description,
    category: p.category,
    tags: p.tags,
    latest: p.versions.latest,
    verified: p.verified,
    featured: p.featured,
    ...(p.stats ? { downloads: p.stats.downloads, stars: p.stats.stars } : {}),
    score: Math.round(score * 1000) / 1000,
  };
}
