import { WharfError } from '../errors.js';
import { isCjkTerm, STOP_WORDS, searchTokens } from '../search-tokens.js';
import { sha256Hex } from './content-hash.js';
import { DocScores } from './doc-scores.js';
import { idf, SCORE_SCALE } from './doc-terms.js';
import {
  DOCS_PER_CHUNK,
  type DocLines,
  type DocRows,
  decodeUtf8,
  docChunkPath,
  docRowsOfLines,
  manifestRows,
  openDocChunk,
  parseManifest,
  parseTermChunk,
  type SearchDoc,
  type SearchManifest,
  type TermEntry,
  termChunkPath,
  validateManifest,
} from './index-format.js';
import { chunkIndexFor } from './index-writer.js';

export interface SearchQueryOptions {
  limit?: number;
  offset?: number;
  category?: string;
  verified?: boolean;
  sort?: 'relevance' | 'downloads' | 'updated' | 'name';
  /**
   * Relevance order only: called with the best hits, best first, as soon as their doc chunks are in, while
   * chunks for lower hits are still loading (never when every chunk was loaded already). `total` is final. A
   * page shows its top row on the first chunk instead of the last of up to `limit` fetches.
   */
  onPartial?: (partial: SearchQueryResult) => void;
}

export type SearchIndexHit = SearchDoc & { score: number };

export interface SearchQueryResult {
  total: number;
  hits: SearchIndexHit[];
  /** Only when nothing matched: the plugins whose indexed words are nearest to the query's (see closestDocs). */
  closest?: SearchDoc[];
}

export interface SearchIndex {
  readonly manifest: SearchManifest;
  query(q: string, opts?: SearchQueryOptions): Promise<SearchQueryResult>;
}

/** Matching rules (the site's, with typo tolerance from 4 letters as issue 13 asks). */
export const MATCH_RULES = {
  /** A prefix match counts this much of an exact one, times the typed share of the term. */
  prefixWeight: 0.3,
  /** A one-edit match counts this much. */
  fuzzyWeight: 0.2,
  /** Latin terms this long or longer match with one edit (never CJK); a swap of two adjacent letters is one edit,
   * and the term being typed may be one edit from the start of a longer term. */
  fuzzyMinLength: 4,
  /** The term being typed (the last) matches as a prefix from this many characters (one CJK character too). */
  prefixMinLength: 2,
  /** A prefix expands to at most this many terms, the most frequent first, from at most prefixChunks chunks. */
  prefixTerms: 256,
  prefixChunks: 3,
  /** Non-relevance sorts order the best this many matches. */
  sortPool: 200,
  /** A browse (no query words) scans at most this many doc chunks. */
  browseChunks: 32,
  /** closest: terms within this edit distance of a query term (of 3+ characters) among the loaded chunks. */
  closestDistance: 2,
  closestDocs: 5,
};

interface LoadedTerms {
  firstIndex: number;
  entries: TermEntry[];
}

/**
 * Query a sharded index, loading chunks lazily through `load(path)` (paths relative to the index root) and
 * keeping each one in memory. Every loaded file is hashed and compared with the manifest before it is parsed:
 * a mismatch is E_INDEX_HASH, a malformed file E_SCHEMA.
 *
 * AND across the query's words; each word matches exactly, with one edit when it is a Latin word of 4+
 * letters (looked for only in the chunk that word falls in: a typo in the first letters that moves the word
 * to another chunk is not found), and the last word also as a prefix. A word whose posting list was capped
 * at build time (POSTING_CAP) ranks the docs it lists but does not filter: its list holds only its best docs,
 * and AND over it would drop the rest. When every word is capped their lists are intersected.
 */
export interface OpenSearchIndexOptions {
  /** sha256 hex of a loaded file (its UTF-8 text, or its bytes); default WebCrypto (async, slow to start in a CLI). */
  sha256?: (file: string | Uint8Array) => string | Promise<string>;
  /** Text of UTF-8 bytes, for files `load` gives as bytes; default TextDecoder. */
  decode?: (bytes: Uint8Array) => string;
  /** What a refusal of the manifest names (e.g. a source's alias). */
  name?: string;
  /** The manifest object is one validateManifest or parseCheckedManifest returned: not checked again. */
  checked?: boolean;
  /**
   * A doc chunk's lines, read one at a time, when the caller holds that chunk (the bytes `sha256` names, laid out one
   * doc per line) and knows where its lines lie; undefined to have it loaded whole through `load`.
   */
  docLines?: (path: string, sha256: string) => DocLines | undefined;
}

export function openSearchIndex(
  manifestIn: SearchManifest | string,
  /**
   * A file's text, or its UTF-8 bytes, by its path; `sha256` is what the manifest pins it to (a cache keyed by hash
   * may use it). Given bytes, a doc chunk decodes only the docs a query reads.
   */
  load: (path: string, sha256: string) => Promise<string | Uint8Array>,
  opts: OpenSearchIndexOptions = {},
): SearchIndex {
  const manifest =
    typeof manifestIn === 'string'
      ? parseManifest(manifestIn, opts.name)
      : opts.checked
        ? manifestIn
        : validateManifest(manifestIn, opts.name);
  const hash = opts.sha256 ?? sha256Hex;
  const decode = opts.decode ?? decodeUtf8;
  // Row by row: a checked manifest's lists are read in place from its text (parseCheckedManifest).
  const lists = manifestRows(manifest);
  const chunkOf = (term: string) => chunkIndexFor(lists.termChunks, lists.termFirst, term);
  const common = new Set(manifest.common);
  const catIndex = new Map(manifest.categories.map((c, i) => [c, i]));
  const termChunks = new Map<number, Promise<TermEntry[]>>();
  const docChunks = new Map<number, Promise<DocRows>>();

  const fetchVerified = async (path: string, sha: string) => {
    const file = await load(path, sha);
    if ((typeof file !== 'string' && !(file instanceof Uint8Array)) || (await hash(file)) !== sha)
      throw new WharfError('E_INDEX_HASH', `The search index file ${path} does not match its manifest's sha256.`, {
        path,
      });
    return file;
  };
  const termChunk = (c: number): Promise<TermEntry[]> => {
    let p = termChunks.get(c);
    if (!p) {
      const first = lists.termFirst(c);
      const sha = lists.termSha(c);
      const path = termChunkPath(sha);
      p = fetchVerified(path, sha).then(
        (file) =>
          parseTermChunk(typeof file === 'string' ? file : decode(file), path, {
            first,
            next: c + 1 < lists.termChunks ? lists.termFirst(c + 1) : undefined,
            slots: manifest.slots,
            categories: manifest.categories.length,
          }).terms,
      );
      p.catch(() => termChunks.delete(c));
      termChunks.set(c, p);
    }
    return p;
  };
  const docReady = new Set<number>(); // doc chunks loaded and checked: a query over them reports no partials
  const docChunk = (k: number): Promise<DocRows> => {
    let p = docChunks.get(k);
    if (!p) {
      const sha = lists.docChunkSha(k);
      const path = docChunkPath(sha);
      const lines = opts.docLines?.(path, sha);
      p = lines
        ? Promise.resolve().then(() => docRowsOfLines(lines, path))
        : fetchVerified(path, sha).then((file) => openDocChunk(file, path, decode));
      p.then(() => docReady.add(k)).catch(() => docChunks.delete(k));
      docChunks.set(k, p);
    }
    return p;
  };
  /** The docs by number; `progress` sees what is in after each chunk that arrives while others are pending. */
  const docsFor = async (
    docNos: number[],
    progress?: (docs: Map<number, SearchDoc>) => void,
  ): Promise<Map<number, SearchDoc>> => {
    const ks = [...new Set(docNos.map((d) => Math.floor(d / DOCS_PER_CHUNK)))].filter((k) => k < lists.docChunks);
    const rows = new Map<number, DocRows>();
    const pick = () => {
      const out = new Map<number, SearchDoc>();
      for (const d of docNos) {
        const doc = rows.get(Math.floor(d / DOCS_PER_CHUNK))?.at(d % DOCS_PER_CHUNK);
        if (doc) out.set(d, doc);
      }
      return out;
    };
    const report = progress && ks.some((k) => !docReady.has(k)) ? progress : undefined;
    await Promise.all(
      ks.map((k) =>
        docChunk(k).then((r) => {
          rows.set(k, r);
          if (report && rows.size < ks.length) report(pick());
        }),
      ),
    );
    return pick();
  };
  const loadedTerms = async (cs: number[]): Promise<LoadedTerms[]> =>
    Promise.all(cs.map(async (c) => ({ firstIndex: c, entries: await termChunk(c) })));

  const keepMeta = (meta: number, o: SearchQueryOptions, cat: number | undefined) =>
    (cat === undefined || meta >> 1 === cat) && (!o.verified || (meta & 1) === 1);

  /** The docs one query word matches, with its best weighted score for each, and whether the set is complete. */
  async function matchWord(
    word: string,
    isLast: boolean,
    o: SearchQueryOptions,
    cat: number | undefined,
  ): Promise<{ scores: DocScores; complete: boolean }> {
    const cjk = isCjkTerm(word);
    const prefix = isLast && (word.length >= MATCH_RULES.prefixMinLength || cjk);
    const fuzzy = !cjk && word.length >= MATCH_RULES.fuzzyMinLength;
    const home = chunkOf(word);
    const chunks = [home];
    if (prefix)
      for (let c = home + 1; c < lists.termChunks && chunks.length < MATCH_RULES.prefixChunks; c++) {
        if (!lists.termFirst(c).startsWith(word)) break;
        chunks.push(c);
      }
    const loaded = await loadedTerms(chunks);
    const expansions: Array<[TermEntry, number]> = [];
    const prefixed: TermEntry[] = [];
    for (const { entries } of loaded)
      for (const e of entries) {
        const t = e[0];
        if (t === word) expansions.push([e, 1]);
        else if (prefix && t.startsWith(word)) prefixed.push(e);
        else if (fuzzy && oneEditApart(word, t)) expansions.push([e, MATCH_RULES.fuzzyWeight]);
        // The word being typed may be a typo of a longer word's start ("vowle" for "vowels").
        else if (fuzzy && prefix && t.length > word.length && typoOfPrefix(word, t))
          expansions.push([e, (MATCH_RULES.fuzzyWeight * MATCH_RULES.prefixWeight * word.length) / t.length]);
      }
    prefixed.sort((a, b) => b[1] - a[1]);
    for (const e of prefixed.slice(0, MATCH_RULES.prefixTerms))
      expansions.push([e, (MATCH_RULES.prefixWeight * word.length) / e[0].length]);
    let listed = 0;
    for (const [e] of expansions) listed += e[2].length / 3;
    const scores = new DocScores(Math.min(listed, manifest.slots));
    let complete = true;
    for (const [[, df, p], weight] of expansions) {
      if (df > p.length / 3) complete = false;
      const w = (weight * idf(df, manifest.docs)) / SCORE_SCALE;
      for (let i = 0; i < p.length; i += 3) {
        if (!keepMeta(p[i + 2] as number, o, cat)) continue;
        scores.keepMax(p[i] as number, w * (p[i + 1] as number));
      }
    }
    return { scores, complete };
  }

  async function closestDocs(words: string[], o: SearchQueryOptions, cat: number | undefined): Promise<SearchDoc[]> {
    const near: Array<{ d: number; e: TermEntry }> = [];
    for (const word of words) {
      if (word.length < 3 || isCjkTerm(word)) continue;
      for (const { entries } of await loadedTerms([chunkOf(word)]))
        for (const e of entries) {
          const d = editDistance(word, e[0], MATCH_RULES.closestDistance);
          if (d <= MATCH_RULES.closestDistance) near.push({ d, e });
        }
    }
    near.sort((a, b) => a.d - b.d || b.e[1] - a.e[1]);
    const picked: number[] = [];
    for (const { e } of near.slice(0, 8)) {
      const p = e[2];
      const rows: Array<[number, number]> = [];
      for (let i = 0; i < p.length; i += 3)
        if (keepMeta(p[i + 2] as number, o, cat)) rows.push([p[i] as number, p[i + 1] as number]);
      rows.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      for (const [doc] of rows.slice(0, 3)) if (!picked.includes(doc)) picked.push(doc);
    }
    const docs = await docsFor(picked.slice(0, MATCH_RULES.closestDocs * 2));
    return picked.flatMap((d) => docs.get(d) ?? []).slice(0, MATCH_RULES.closestDocs);
  }

  async function browse(o: SearchQueryOptions, cat: number | undefined, limit: number, offset: number) {
    const facets = Object.entries(manifest.facets);
    const total =
      o.category !== undefined
        ? (manifest.facets[o.category]?.[o.verified ? 1 : 0] ?? 0)
        : o.verified
          ? facets.reduce((n, [, f]) => n + f[1], 0)
          : manifest.docs;
    const want = o.sort && o.sort !== 'relevance' && o.sort !== 'downloads' ? MATCH_RULES.sortPool : offset + limit;
    const found: SearchDoc[] = [];
    const scan = Math.min(lists.docChunks, MATCH_RULES.browseChunks);
    for (let k = 0; k < scan && found.length < Math.max(want, offset + limit); k++) {
      const rows = await docChunk(k);
      for (let i = 0; i < rows.length; i++) {
        const d = rows.at(i);
        if (
          d &&
          (cat === undefined ? o.category === undefined : d.category === o.category) &&
          (!o.verified || d.verified)
        )
          found.push(d);
      }
    }
    // Doc numbers follow downloads at the last full build; later additions come after.
    const sorted = sortDocs(found, o.sort ?? 'downloads');
    return { total, hits: sorted.slice(offset, offset + limit).map((d) => ({ ...d, score: 0 })) };
  }

  return {
    manifest,
    async query(q: string, o: SearchQueryOptions = {}): Promise<SearchQueryResult> {
      const limit = Math.max(0, Math.min(o.limit ?? 20, 1000));
      const offset = Math.max(0, o.offset ?? 0);
      const cat = o.category === undefined ? undefined : catIndex.get(o.category);
      if (o.category !== undefined && cat === undefined) return { total: 0, hits: [] };
      const words = [
        ...new Set(
          searchTokens(typeof q === 'string' ? q.slice(0, 1024) : '').filter(
            (t) => !STOP_WORDS.has(t) && !common.has(t),
          ),
        ),
      ].slice(0, 16);
      if (words.length === 0) return browse(o, cat, limit, offset);
      const sets = await Promise.all(words.map((w, i) => matchWord(w, i === words.length - 1, o, cat)));
      const filtering = sets.some((s) => s.complete) ? sets.filter((s) => s.complete) : sets;
      const [smallest, ...rest] = [...filtering].sort((a, b) => a.scores.size - b.scores.size);
      const first = (smallest as { scores: DocScores }).scores;
      let matched: ArrayLike<number>;
      let matchedScores: ArrayLike<number>;
      if (sets.length === 1) {
        // One word (the usual query) takes its matches and scores as they are: no intersection, no sum, no copy.
        matched = first.docs.subarray(0, first.size);
        matchedScores = first.scores.subarray(0, first.size);
      } else {
        const docs: number[] = [];
        const scores: number[] = [];
        for (let k = 0; k < first.size; k++) {
          const doc = first.docs[k] as number;
          if (!rest.every((s) => s.scores.has(doc))) continue;
          let score = 0;
          for (const s of sets) score += s.scores.get(doc);
          docs.push(doc);
          scores.push(score);
        }
        matched = docs;
        matchedScores = scores;
      }
      if (matched.length === 0) return { total: 0, hits: [], closest: await closestDocs(words, o, cat) };
      const sort = o.sort ?? 'relevance';
      const keep = sort === 'relevance' ? offset + limit : Math.max(MATCH_RULES.sortPool, offset + limit);
      const ranked = bestRanked(matched, matchedScores, keep);
      const pool = sort === 'relevance' ? ranked.slice(offset, offset + limit) : ranked;
      const hitsOf = (docs: Map<number, SearchDoc>, pairs: Array<[number, number]>): SearchIndexHit[] =>
        pairs.flatMap(([d, s]) => {
          const doc = docs.get(d);
          return doc ? [{ ...doc, score: Math.round(s * 1000) / 1000 }] : [];
        });
      let reported = 0;
      const partial =
        sort === 'relevance' && o.onPartial
          ? (docs: Map<number, SearchDoc>) => {
              let n = 0; // the leading hits whose docs are in: a later row never shows above an earlier one
              while (n < pool.length && docs.has((pool[n] as [number, number])[0])) n++;
              if (n > reported) {
                reported = n;
                o.onPartial?.({ total: matched.length, hits: hitsOf(docs, pool.slice(0, n)) });
              }
            }
          : undefined;
      const docs = await docsFor(
        pool.map(([d]) => d),
        partial,
      );
      let hits = hitsOf(docs, pool);
      if (sort !== 'relevance') hits = sortDocs(hits, sort).slice(offset, offset + limit);
      return { total: matched.length, hits };
    },
  };
}

/**
 * The `keep` best of the matched docs, best first: higher score, then lower doc number; the full sort's order,
 * cut at `keep`. A common word matches thousands of docs and a page shows 24. Written for cold code: a page's
 * first query runs in V8's interpreter, where each JS call costs (a buffer of the best with a comparator call
 * per doc took 6–16 ms in Chromium over 2,000 matches), so the cut score comes from a native sort of a typed
 * copy and one plain loop keeps what reaches it; only those few are sorted with a comparator.
 */
export function bestRanked(docs: ArrayLike<number>, scores: ArrayLike<number>, keep: number): Array<[number, number]> {
  if (!(keep > 0)) return []; // NaN too
  let order: number[];
  if (keep < docs.length) {
    const cut = new Float64Array(scores).sort()[docs.length - keep] as number;
    order = [];
    const tied: number[] = [];
    for (let i = 0; i < docs.length; i++) {
      const s = scores[i] as number;
      if (s > cut) order.push(i);
      else if (s === cut) tied.push(i);
    }
    // Of the docs at the cut, the lowest numbers, as many as fill `keep`, found by a native sort: plugins that share
    // a description tie by the thousand ("calendar" at 100k), and the comparator sort below over all of them took
    // ~1 ms of a warm `wharf search`.
    const need = keep - order.length;
    if (tied.length > need) {
      const last = Float64Array.from(tied, (i) => docs[i] as number).sort()[need - 1] as number;
      for (const i of tied) if ((docs[i] as number) <= last) order.push(i);
    } else for (const i of tied) order.push(i);
  } else {
    order = Array.from({ length: docs.length }, (_, i) => i);
  }
  order.sort((i, j) => (scores[j] as number) - (scores[i] as number) || (docs[i] as number) - (docs[j] as number));
  return order.slice(0, keep).map((i) => [docs[i] as number, scores[i] as number]);
}

function sortDocs<T extends SearchDoc>(docs: T[], sort: NonNullable<SearchQueryOptions['sort']>): T[] {
  if (sort === 'relevance') return docs;
  const by =
    sort === 'downloads'
      ? (a: T, b: T) => (b.downloads ?? 0) - (a.downloads ?? 0)
      : sort === 'updated'
        ? (a: T, b: T) => (b.updated ?? '').localeCompare(a.updated ?? '')
        : (a: T, b: T) => a.name.localeCompare(b.name);
  return [...docs].sort((a, b) => by(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Levenshtein distance, or max+1 as soon as it must exceed `max` (one row, early exit). Hand-written: the
 * bounded form over a handful of short terms is a dozen lines, and a library would be a dependency of the
 * browser bundle for that.
 */
/** One edit from the start of `term` (the start as long as `word`, or one letter shorter or longer). */
function typoOfPrefix(word: string, term: string): boolean {
  for (const n of [word.length, word.length - 1, word.length + 1])
    if (n < term.length && oneEditApart(word, term, n)) return true;
  return false;
}

/**
 * editDistance(a, b.slice(0, n), 1) === 1, without the slice or the rows: a query runs it over every term of the
 * chunks it loads (~1,000 at 100k plugins), and those allocations were a third of a warm `wharf search`'s.
 * One substitution, insertion, deletion, or swap of two adjacent code units apart, as editDistance counts them.
 */
export function oneEditApart(a: string, b: string, n = b.length): boolean {
  const m = a.length;
  if (m === n) {
    let i = 0;
    while (i < m && a.charCodeAt(i) === b.charCodeAt(i)) i++;
    if (i === m) return false; // the same: no edit
    let j = i + 1;
    while (j < m && a.charCodeAt(j) === b.charCodeAt(j)) j++;
    if (j === m) return true; // one substitution
    // Two adjacent differences that are a swap, and nothing after them.
    if (j !== i + 1 || a.charCodeAt(i) !== b.charCodeAt(j) || a.charCodeAt(j) !== b.charCodeAt(i)) return false;
    for (let k = j + 1; k < m; k++) if (a.charCodeAt(k) !== b.charCodeAt(k)) return false;
    return true;
  }
  if (m !== n + 1 && n !== m + 1) return false;
  // One insertion: the longer with one code unit left out is the shorter (both read within their lengths).
  const [short, sl, long] = m < n ? [a, m, b] : [b, n, a];
  let i = 0;
  while (i < sl && short.charCodeAt(i) === long.charCodeAt(i)) i++;
  while (i < sl && short.charCodeAt(i) === long.charCodeAt(i + 1)) i++;
  return i === sl;
}

export function editDistance(a: string, b: string, max: number): number {
  // Optimal string alignment: a swap of two adjacent letters ("vowle" for "vowel") is one edit, as people type it.
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let prevBest = 0;
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, (prev2[j - 2] as number) + 1);
      cur.push(v);
      if (v < best) best = v;
    }
    // A transposition reaches back two rows, so only two rows both past `max` end the search.
    if (best > max && prevBest > max) return max + 1;
    prev2 = prev;
    prev = cur;
    prevBest = best;
  }
  return Math.min(prev[b.length] as number, max + 1);
}
