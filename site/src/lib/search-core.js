// The search engine, shared by the site build (index), the browser worker (queries), the Node bench and the
// tests. Plain ESM with JSDoc so `node bench/site/run.mjs` can import it without a TypeScript loader.
// The UI only sees `createEngine(json).query(...)`, so a sharded index can replace this past ~20k plugins.
// The tokenizer (words, CJK bigrams, stop words) lives in @wharf/schemas so the CLI's search splits text the same way.
import { isCjkTerm, STOP_WORDS, searchTokens } from '@wharf/schemas/search-tokens';
import MiniSearch from 'minisearch';

/** Bumped when the shape of search-index.json changes. */
export const INDEX_VERSION = 1;

export const isCjk = isCjkTerm;
export const tokenize = searchTokens;

const FIELDS = ['id', 'name', 'name_zh', 'text', 'text_zh', 'tags'];
const SHORT_QUERY_FIELDS = ['id', 'name', 'name_zh', 'tags'];

/**
 * Engine options for an index whose catalog-specific common words (see commonTerms) are dropped on both sides.
 * @param {Set<string>} common
 * @returns {import('minisearch').Options}
 */
function engineOptions(common) {
  const processTerm = (/** @type {string} */ term) => (STOP_WORDS.has(term) || common.has(term) ? null : term);
  return { idField: 'i', fields: FIELDS, storeFields: [], tokenize, processTerm };
}

// In a large catalog, a word found in over a fifth of all entries ranks nothing and costs the most index
// bytes (Obsidian's "has not been manually reviewed by Obsidian staff" is in 60% of descriptions). Small
// registries keep every word: there a fifth is a handful of plugins.
const COMMON_MIN_DOCS = 500;
const COMMON_SHARE = 0.2;

/** @param {Array<Record<string, string | number>>} docs */
function commonTerms(docs) {
  if (docs.length < COMMON_MIN_DOCS) return new Set();
  /** @type {Map<string, number>} */
  const df = new Map();
  for (const d of docs) {
    const terms = new Set(FIELDS.flatMap((f) => tokenize(String(d[f] ?? ''))));
    for (const t of terms) df.set(t, (df.get(t) ?? 0) + 1);
  }
  return new Set([...df].filter(([, n]) => n > COMMON_SHARE * docs.length).map(([t]) => t));
}

/**
 * Bounded matching keeps a keystroke under 10 ms at 10k plugins: AND across terms, prefix only on the term
 * being typed (the last), fuzzy (one edit) only on Latin terms of 4+ characters.
 * @type {import('minisearch').SearchOptions}
 */
export const SEARCH_OPTIONS = {
  combineWith: 'AND',
  prefix: (term, i, terms) => i === terms.length - 1 && (term.length >= 2 || isCjk(term)),
  fuzzy: (term) => (term.length >= 4 && !isCjk(term) ? 1 : false),
  maxFuzzy: 1,
  boost: { id: 3, name: 3, name_zh: 3, tags: 1.5 },
  weights: { fuzzy: 0.2, prefix: 0.3 },
};

const INDEXED_TEXT_MAX = 400;
const SHOWN_TEXT_MAX = 160;

/** @param {string | undefined} s @param {number} n */
function clip(s, n) {
  if (!s) return '';
  const line = s.split('\n')[0] ?? '';
  return line.length <= n ? line : `${line.slice(0, n - 1)}…`;
}

/**
 * One row per plugin, what a result needs to render and filter: [id, name, name_zh, text, text_zh,
 * category, tags, verified (0|1), downloads]. No versions, hashes or signatures (DESIGN §9).
 * @typedef {[string, string, string, string, string, string, string[], 0 | 1, number]} DocRow
 */

/**
 * The static search-index.json: display rows plus the serialized MiniSearch index over them.
 * @param {Array<import('@wharf/schemas').RegistryPlugin>} plugins
 */
export function buildSearchIndex(plugins) {
  /** @type {DocRow[]} */
  const docs = plugins.map((p) => [
    p.plugin_id,
    p.name,
    p.name_zh ?? '',
    clip(p.short_description || p.description, SHOWN_TEXT_MAX),
    clip(p.description_zh, SHOWN_TEXT_MAX),
    p.category,
    p.tags,
    p.verified ? 1 : 0,
    p.stats.downloads,
  ]);
  const entries = plugins.map((p, i) => ({
    i,
    id: p.plugin_id,
    name: p.name,
    name_zh: p.name_zh ?? '',
    text: `${p.short_description} ${p.description === p.short_description ? '' : p.description}`.slice(
      0,
      INDEXED_TEXT_MAX,
    ),
    text_zh: (p.description_zh ?? '').slice(0, INDEXED_TEXT_MAX),
    tags: p.tags.join(' '),
  }));
  const common = commonTerms(entries);
  const ms = new MiniSearch(engineOptions(common));
  ms.addAll(entries);
  return { v: INDEX_VERSION, docs, common: [...common].sort(), index: ms.toJSON() };
}

/**
 * @typedef {{ category?: string, tag?: string, verified?: boolean }} Filters
 * @typedef {{ total: number, rows: DocRow[] }} Results
 */

/**
 * @param {{ v: number, docs: DocRow[], index: unknown } | string} input the parsed or raw search-index.json
 */
export function createEngine(input) {
  const data = typeof input === 'string' ? JSON.parse(input) : input;
  if (data.v !== INDEX_VERSION) throw new Error(`search index version ${data.v}, expected ${INDEX_VERSION}`);
  /** @type {DocRow[]} */
  const docs = data.docs;
  const options = engineOptions(new Set(data.common ?? []));
  const ms = MiniSearch.loadJS(data.index, options);

  /** @param {DocRow} d @param {Filters} f */
  const keep = (d, f) =>
    (!f.category || d[5] === f.category) && (!f.tag || d[6].includes(f.tag)) && (!f.verified || d[7] === 1);

  return {
    size: docs.length,
    /**
     * @param {string} q
     * @param {Filters} [filters]
     * @param {number} [limit] rows to return; a short list keeps each keystroke's render cheap
     * @returns {Results}
     */
    query(q, filters = {}, limit = 24) {
      if (tokenize(q).every((t) => options.processTerm?.(t) == null)) {
        // No query: browse, most downloaded first.
        const all = docs.filter((d) => keep(d, filters)).sort((a, b) => b[8] - a[8]);
        return { total: all.length, rows: all.slice(0, limit) };
      }
      const active = filters.category || filters.tag || filters.verified;
      const terms = tokenize(q);
      // Two typed letters prefix-match a large share of all descriptions: look in names and tags only.
      const short = terms.length === 1 && (terms[0]?.length ?? 0) <= 2 && !isCjk(terms[0] ?? '');
      const hits = ms.search(q, {
        ...SEARCH_OPTIONS,
        ...(short ? { fields: SHORT_QUERY_FIELDS } : {}),
        // Among similar matches, the plugin people use: up to ×1.6 at a million downloads.
        boostDocument: (id) => 1 + Math.log10(1 + (docs[id]?.[8] ?? 0)) / 10,
        ...(active ? { filter: (r) => keep(/** @type {DocRow} */ (docs[r.id]), filters) } : {}),
      });
      return { total: hits.length, rows: hits.slice(0, limit).map((h) => /** @type {DocRow} */ (docs[h.id])) };
    },
    /**
     * For a query that matched nothing: the plugins whose id or name is nearest it (any term, two edits).
     * @param {string} q
     * @param {number} [limit]
     * @returns {DocRow[]}
     */
    closest(q, limit = 3) {
      const hits = ms.search(q, {
        fields: ['id', 'name', 'name_zh'],
        combineWith: 'OR',
        prefix: true,
        fuzzy: (term) => (isCjk(term) ? false : term.length >= 6 ? 2 : 1),
        maxFuzzy: 2,
      });
      return hits.slice(0, limit).map((h) => /** @type {DocRow} */ (docs[h.id]));
    },
  };
}
