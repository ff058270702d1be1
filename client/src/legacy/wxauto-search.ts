// Search and statistics with WXAUTO-MGT's own client rules (decentralized_marketplace.py @ 7598128), so a
// legacy source answers the way its users know: search_plugins() and get_plugin_statistics().
import type { RegistryPlugin } from '@wharf/schemas';
import type { Catalog, CatalogEntry } from '../index/catalog.js';
import { type SearchFilters, type SearchHit, toHit } from '../search/search.js';
import { isLegacySnapshot } from './wxauto-source.js';

export interface LegacySearchFilters extends SearchFilters {
  featured?: boolean;
}

/** A hit from a legacy source: the same shape as a native hit, marked so nobody mistakes it for a signed one. */
export interface LegacySearchHit extends SearchHit {
  unverified: true;
  downloads: number;
  rating?: number;
}

/**
 * WXAUTO-MGT's rule: active entries only; the lowercased query must be a substring of
 * "name short_description description tags…" (joined by spaces, lowercased); filters for category, any of the
 * tags, featured and verified; then featured first, verified next, then downloads, then rating, all descending.
 */
export function searchWxauto(
  entries: readonly CatalogEntry[],
  query: string,
  filters: LegacySearchFilters = {},
): LegacySearchHit[] {
  const q = query.normalize('NFKC').toLowerCase();
  const hits = entries.filter((e) => {
    const p = e.plugin;
    if (p.status !== 'active') return false;
    if (filters.featured && !p.featured) return false;
    if (filters.verified && !p.verified) return false;
    if (filters.category && p.category !== filters.category) return false;
    if (filters.tag && !p.tags.includes(filters.tag)) return false;
    return !q || searchableText(p).includes(q);
  });
  hits.sort((a, b) => compareWxauto(a.plugin, b.plugin));
  return hits.map(toLegacyHit);
}

/** The text WXAUTO-MGT matches against; a query may span the joins, as it can there. */
export function searchableText(p: RegistryPlugin): string {
  return `${p.name} ${p.short_description} ${p.description} ${p.tags.join(' ')}`.toLowerCase();
}

/** featured > verified > downloads > rating; the sort is stable, so ties keep registry order as in Python. */
export function compareWxauto(a: RegistryPlugin, b: RegistryPlugin): number {
  return (
    Number(b.featured) - Number(a.featured) ||
    Number(b.verified) - Number(a.verified) ||
    b.stats.downloads - a.stats.downloads ||
    (b.stats.rating ?? 0) - (a.stats.rating ?? 0)
  );
}

function toLegacyHit(e: CatalogEntry): LegacySearchHit {
  const { downloads, rating } = e.plugin.stats;
  return { ...toHit(e, 0), unverified: true, downloads, ...(rating !== undefined ? { rating } : {}) };
}

export interface CatalogStats {
  total_plugins: number;
  featured_plugins: number;
  verified_plugins: number;
  total_downloads: number;
  category_stats: Record<string, number>;
  sources: Array<{
    alias: string;
    type: 'tuf' | 'wxauto';
    plugins: number;
    fetched_at: string;
    stale: boolean;
    unverified: boolean;
  }>;
}

/**
 * get_plugin_statistics(): total, downloads and per-category counts over every entry the client sees;
 * featured and verified over active entries only (that asymmetry is WXAUTO-MGT's, kept on purpose).
 * Native sources are counted by the same rules, from their verified catalog.
 */
export function catalogStats(catalog: Catalog, alias?: string): CatalogStats {
  const entries = alias ? catalog.entries.filter((e) => e.source === alias) : catalog.entries;
  const category_stats: Record<string, number> = {};
  let total_downloads = 0;
  for (const { plugin: p } of entries) {
    category_stats[p.category] = (category_stats[p.category] ?? 0) + 1;
    total_downloads += p.stats.downloads;
  }
  const active = entries.filter((e) => e.plugin.status === 'active');
  return {
    total_plugins: entries.length,
    featured_plugins: active.filter((e) => e.plugin.featured).length,
    verified_plugins: active.filter((e) => e.plugin.verified).length,
    total_downloads,
    category_stats,
    sources: catalog.snapshots
      .filter((s) => !alias || s.alias === alias)
      .map((s) => ({
        alias: s.alias,
        type: isLegacySnapshot(s) ? 'wxauto' : 'tuf',
        plugins: entries.filter((e) => e.snapshot === s).length,
        fetched_at: s.fetchedAt,
        stale: s.stale,
        unverified: isLegacySnapshot(s),
      })),
  };
}
