import { STOP_WORDS, searchTokens } from '@wharf/schemas';
import {
  buildSearchIndex,
  openSearchIndex,
  type SearchIndex,
  type SearchIndexHit,
  toSearchDocInput,
} from '@wharf/schemas/search-index';
import type { Catalog, CatalogEntry } from '../index/catalog.js';
import { currentSource } from '../sources/sources-config.js';
import { queryFiltered } from './filtered-query.js';

export interface SearchFilters {
  category?: string;
  tag?: string;
  verified?: boolean;
  /** Hits per source: a sharded one's default is SHARDED_SEARCH_LIMIT; a monolithic one returns all (up to 1,000). */
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

/** The search engine answers at most this many hits per query (query-index.ts). */
const ENGINE_MAX_HITS = 1000;

/**
 * Names for an index built and read within one search: each distinct file text gets the next number, so a file
 * still reads back only under the name it was built with. No digest: loading node:crypto and its first sha256 cost a
 * fresh process ~2.5 ms (2.1 + 0.4 ms), more than the whole search of a small catalog. Unique in the 20 characters a
 * path keeps.
 */
function inMemoryNames(): (file: string | Uint8Array) => string {
  const names = new Map<string | Uint8Array, string>();
  return (file) => {
    let name = names.get(file);
    if (name === undefined) {
      name = names.size.toString(16).padStart(12, '0').padEnd(64, '0');
      names.set(file, name);
    }
    return name;
  };
}

/**
 * Catalog search over verified snapshots that hold every plugin (monolithic sources, and a sharded source's
 * fetched plugin files when its registry signs no search index). The same engine, index format and rules as
 * the site and a sharded source's signed index (@wharf/schemas/search-index: AND of words, the last one also as a
 * prefix, one edit from 4 letters, common words dropped), over an index of each snapshot's searchable plugins
 * built here in memory as the publisher builds the signed one (a refresh keeps one per snapshot: built-search.ts).
 * One query ranks and shows the same everywhere. Hits go by source, each source's in the engine's order; a query
 * of no words lists every plugin that passes the filters.
 */
export async function searchCatalog(
  catalog: Catalog,
  query: string,
  filters: SearchFilters = {},
): Promise<SearchHit[]> {
  const searchable = catalog.entries.filter((e) => e.plugin.status !== 'suspended');
  const q = query.trim();
  if (!hasWords(q)) return searchable.filter((e) => matchesFilters(e, filters)).map((e) => toHit(e, 0));
  // One index per source, in the catalog's source order: an id is unique within a source only.
  const bySource = new Map<string, CatalogEntry[]>();
  for (const e of searchable) bySource.set(e.source, [...(bySource.get(e.source) ?? []), e]);
  const current = currentSource(catalog.sources)?.alias;
  const hits: SearchHit[] = [];
  for (const [source, entries] of bySource)
    hits.push(...(await searchIndex(inMemoryIndex(entries), q, filters, source, source === current)));
  return hits;
}

/**
 * One source's hits from its search index (built here, or kept by the refresh): all of them, up to what the engine
 * answers, unless `filters.limit` asks for fewer.
 */
export async function searchIndex(
  idx: SearchIndex,
  query: string,
  filters: SearchFilters,
  source: string,
  current: boolean,
): Promise<SearchHit[]> {
  const limit = Math.min(filters.limit ?? idx.manifest.docs, ENGINE_MAX_HITS);
  return (await queryFiltered(idx, query.trim(), filters, limit)).map((h) => hitOfDoc(h, source, current));
}

/** Whether a query has a word to search for (else it lists every plugin). */
export const hasWords = (query: string): boolean => searchTokens(query).some((t) => !STOP_WORDS.has(t));

/** A hit as the index's display doc gives it (the sharded and the kept index alike): what the site shows too. */
export function hitOfDoc(d: SearchIndexHit, source: string, current: boolean): SearchHit {
  return {
    address: current ? d.id : `${source}:${d.id}`,
    plugin_id: d.id,
    source,
    name: d.name,
    ...(d.name_zh ? { name_zh: d.name_zh } : {}),
    short_description: d.short,
    category: d.category,
    tags: d.tags ?? [],
    latest: d.latest,
    verified: d.verified,
    featured: d.featured,
    ...(d.downloads !== undefined ? { downloads: d.downloads } : {}),
    ...(d.stars !== undefined ? { stars: d.stars } : {}),
    score: d.score,
  };
}

/** The index of `entries` built here, its files named by inMemoryNames. */
function inMemoryIndex(entries: CatalogEntry[]): SearchIndex {
  const sha256 = inMemoryNames();
  const { manifest, files } = buildSearchIndex(
    entries.map((e) => toSearchDocInput(e.plugin)),
    { sha256 },
  );
  // Built here from verified data: the manifest is not validated again.
  return openSearchIndex(manifest, async (path) => files.get(path) ?? '', { sha256, checked: true });
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
