// How one doc becomes postings: the site's fields and boosts (id and names ×3, tags ×1.5, text ×1), scored
// BM25-style at build time. The score depends on the doc alone (a fixed average length instead of the
// catalog's, and the doc's own downloads as a small popularity factor), so an update rewrites only the terms a
// changed plugin has; the term's rarity (idf) is applied at query time from its df and the manifest's doc count.

import { STOP_WORDS, searchTokens } from '../search-tokens.js';
import type { RegistryPlugin } from '../types.js';
import type { SearchDoc, SearchDocInput } from './index-format.js';

const K1 = 1.2;
const B = 0.5;
/** Indexed text is clipped (INDEXED_TEXT_MAX), so a constant stands in for the catalog's average length. */
const AVG_LEN = 40;
const INDEXED_TEXT_MAX = 400;
const SHOWN_TEXT_MAX = 160;
/** Stored scores are integers (×SCALE): compact, and the same on every platform. */
export const SCORE_SCALE = 100;

const FIELDS: Array<[(d: SearchDocInput) => string, number]> = [
  [(d) => d.id, 3],
  [(d) => d.name, 3],
  [(d) => d.name_zh ?? '', 3],
  [(d) => (d.tags ?? []).join(' '), 1.5],
  [(d) => textOf(d.short, d.description), 1],
  [(d) => textOf(d.short_zh, d.description_zh), 1],
];

function textOf(short: string | undefined, long: string | undefined): string {
  const s = short ?? '';
  return `${s} ${long && long !== s ? long : ''}`.slice(0, INDEXED_TEXT_MAX);
}

/** Every distinct indexable term of a doc (stop words out), before the catalog's common terms are known. */
export function rawTerms(d: SearchDocInput): Set<string> {
  const out = new Set<string>();
  for (const [get] of FIELDS) for (const t of searchTokens(get(d))) if (!STOP_WORDS.has(t)) out.add(t);
  return out;
}

/** term → stored score for one doc, `common` terms left out. */
export function docPostings(d: SearchDocInput, common: ReadonlySet<string>): Map<string, number> {
  const weight = new Map<string, number>();
  let len = 0;
  for (const [get, boost] of FIELDS) {
    for (const t of searchTokens(get(d))) {
      len += 1;
      if (STOP_WORDS.has(t) || common.has(t)) continue;
      weight.set(t, (weight.get(t) ?? 0) + boost);
    }
  }
  const norm = K1 * (1 - B + (B * len) / AVG_LEN);
  // Among similar matches, the plugin people use: up to ×1.6 at a million downloads (as the site ranks).
  const popularity = 1 + Math.log10(1 + (d.downloads ?? 0)) / 10;
  const out = new Map<string, number>();
  for (const [t, w] of weight)
    out.set(t, Math.max(1, Math.round(((w * (K1 + 1)) / (w + norm)) * popularity * SCORE_SCALE)));
  return out;
}

/** Rarity of a term with `df` docs among `n`, applied at query time (BM25's idf, never negative). */
export function idf(df: number, n: number): number {
  return Math.log(1 + (Math.max(n, df) - df + 0.5) / (df + 0.5));
}

function clip(s: string | undefined, n: number): string | undefined {
  if (!s) return undefined;
  const line = s.split('\n')[0] ?? '';
  return line.length <= n ? line : `${line.slice(0, n - 1)}…`;
}

/** The display fields of a doc, clipped as the site shows them. */
export function displayDoc(d: SearchDocInput): SearchDoc {
  const short_zh = clip(d.short_zh, SHOWN_TEXT_MAX);
  const name_zh = d.name_zh || undefined;
  return {
    id: d.id,
    name: d.name,
    ...(name_zh ? { name_zh } : {}),
    short: clip(d.short || d.description, SHOWN_TEXT_MAX) ?? '',
    ...(short_zh ? { short_zh } : {}),
    ...(d.tags?.length ? { tags: d.tags.slice(0, 64) } : {}),
    category: d.category,
    latest: d.latest,
    verified: d.verified,
    featured: d.featured,
    ...(d.updated ? { updated: d.updated } : {}),
    ...(d.author ? { author: d.author } : {}),
    ...(d.downloads !== undefined ? { downloads: d.downloads } : {}),
    ...(d.stars !== undefined ? { stars: d.stars } : {}),
  };
}

/** What a search index holds: neither suspended nor removed plugins (the publisher's, and a client's own build). */
export function isSearchable(p: RegistryPlugin): boolean {
  return p.status !== 'suspended' && p.status !== 'removed';
}

/** A registry entry as an index input: its latest release's date as `updated`, its stats when present. */
export function toSearchDocInput(p: RegistryPlugin): SearchDocInput {
  const latest = p.releases.find((r) => r.version === p.versions.latest) ?? p.releases.at(-1);
  const stats = p.stats as { downloads?: number; stars?: number } | undefined;
  return {
    id: p.plugin_id,
    name: p.name,
    ...(p.name_zh ? { name_zh: p.name_zh } : {}),
    short: p.short_description,
    ...(p.description_zh ? { short_zh: p.description_zh, description_zh: p.description_zh } : {}),
    description: p.description,
    tags: p.tags,
    category: p.category,
    latest: p.versions.latest,
    verified: p.verified,
    featured: p.featured,
    ...(latest?.published_at ? { updated: latest.published_at } : {}),
    ...(p.author?.name ? { author: p.author.name } : {}),
    ...(typeof stats?.downloads === 'number' ? { downloads: stats.downloads } : {}),
    ...(typeof stats?.stars === 'number' ? { stars: stats.stars } : {}),
  };
}
