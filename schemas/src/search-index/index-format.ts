// The sharded search index's files (DESIGN §3 "At scale", §9 "Search bytes"): one small manifest, term chunks
// (ranges of the sorted term list with their postings), doc chunks (display fields of DOCS_PER_CHUNK docs) and
// id buckets (the publisher's own record of which doc number and terms each id has, so an update can take a
// plugin's old postings out without the old text). Chunks are content-addressed and the manifest names each
// one's full sha256, so only the manifest needs signing. Everything parsed here is network input: it is checked
// before use and anything that doesn't fit is E_SCHEMA. Browser-safe: no node: imports.
import { WharfError } from '../errors.js';

export const INDEX_FORMAT = 1;
export const MANIFEST_PATH = 'manifest.json';
/** A page of results costs a few doc chunks of this many docs each (about 16 KB raw). */
export const DOCS_PER_CHUNK = 64;
/** Term chunks are cut near this many bytes of JSON (about 10 KB gzip). */
export const TERM_CHUNK_BYTES = 32 * 1024;
/** Ids per id bucket (publisher only; clients never load them). */
export const IDS_PER_BUCKET = 1024;
/** Postings kept per term: the best by score. A longer list is "capped" (df in the chunk > its postings). */
export const POSTING_CAP = 2000;
/** Catalog-common terms (in more than COMMON_SHARE of docs, once there are COMMON_MIN_DOCS) are not indexed. */
export const COMMON_MIN_DOCS = 500;
export const COMMON_SHARE = 0.2;

/** What a hit shows: the display fields, no versions, hashes or signatures. */
export interface SearchDoc {
  id: string;
  name: string;
  name_zh?: string;
  short: string;
  short_zh?: string;
  tags?: string[];
  category: string;
  latest: string;
  verified: boolean;
  featured: boolean;
  updated?: string;
  author?: string;
  downloads?: number;
  stars?: number;
}

/** What the publisher feeds in for one plugin: the display fields, and long text that is indexed only. */
export interface SearchDocInput extends SearchDoc {
  description?: string;
  description_zh?: string;
}

export interface SearchManifest {
  v: typeof INDEX_FORMAT;
  /** Live docs. */
  docs: number;
  /** Doc numbers handed out so far: new plugins get the next one; a removed one leaves a null in its chunk. */
  slots: number;
  /** Categories in posting order: a posting's meta is categoryIndex * 2 + verified. */
  categories: string[];
  /** Live docs per category: [all, verified]; a filtered browse knows its total without loading every doc. */
  facets: Record<string, [number, number]>;
  /** Terms not indexed because they were catalog-common at the last full build (dropped from queries too). */
  common: string[];
  /** Term chunks: each one's first term (the first chunk's is "") and sha256. */
  terms: Array<[string, string]>;
  /** Doc chunk k holds docs k*DOCS_PER_CHUNK ..; its sha256. */
  doc_chunks: string[];
  /** Id buckets (by id hash, modulo their count); the publisher's, not the client's. */
  id_buckets: string[];
}

/** One term of a term chunk: [term, df, postings] with postings flat [docNo, score, meta, docNo, score, meta, ...]. */
export type TermEntry = [string, number, number[]];
export interface TermChunk {
  v: typeof INDEX_FORMAT;
  terms: TermEntry[];
}
export interface DocChunk {
  v: typeof INDEX_FORMAT;
  docs: Array<SearchDoc | null>;
}
/** id → [docNo, its indexed terms with their scores: term, score, term, score ...]. */
export interface IdBucket {
  v: typeof INDEX_FORMAT;
  ids: Record<string, [number, Array<string | number>]>;
}

export const termChunkPath = (sha: string) => `t/${sha.slice(0, 20)}.json`;
export const docChunkPath = (sha: string) => `d/${sha.slice(0, 20)}.json`;
export const idBucketPath = (sha: string) => `i/${sha.slice(0, 20)}.json`;

/** Every file a manifest names, with its full sha256 (the manifest itself excluded). */
export function indexFiles(m: SearchManifest, opts: { idBuckets?: boolean } = {}): Map<string, string> {
  const out = new Map<string, string>();
  for (const [, sha] of m.terms) out.set(termChunkPath(sha), sha);
  for (const sha of m.doc_chunks) out.set(docChunkPath(sha), sha);
  if (opts.idBuckets !== false) for (const sha of m.id_buckets) out.set(idBucketPath(sha), sha);
  return out;
}

// Index files are ASCII: other characters are written as \u escapes. Their gzip size is the same (measured on the
// 100k bench's doc chunks: 62.8 KB either way for ten), and a Node reader decodes ASCII bytes as latin1, ~10×
// faster than UTF-8 (a warm `wharf search` decodes ~0.5 MB).
const NON_ASCII = /[\u0080-\uffff]/g;
const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
const asciiJson = (x: unknown) => JSON.stringify(x).replace(NON_ASCII, escapeChar);

/** Compact JSON, one line, as every index file but the doc chunks is written (the bytes hashed are these). */
export const serialize = (x: unknown) => `${asciiJson(x)}\n`;

// A doc chunk is written one doc per line, still one JSON document: JSON.stringify never writes a raw newline,
// so every newline between the head and the tail ends a doc. A query shows a few of a chunk's 64 docs and
// parses only those lines (openDocChunk): at 100k a warm `wharf search` spent ~3 ms parsing ten whole chunks.
const DOC_HEAD = `{"v":${INDEX_FORMAT},"docs":[\n`;
const DOC_TAIL = '\n]}\n';

/** A doc chunk's text: compact JSON with each doc on a line of its own. */
export function serializeDocChunk(docs: DocChunk['docs']): string {
  if (docs.length === 0) return serialize({ v: INDEX_FORMAT, docs });
  return `${DOC_HEAD}${docs.map(asciiJson).join(',\n')}${DOC_TAIL}`;
}

/** A file's text or its bytes, as the layout check below reads either: length, char code, next newline. */
interface Scan {
  readonly length: number;
  code(i: number): number;
  newline(from: number): number;
}
const textScan = (t: string): Scan => ({
  length: t.length,
  code: (i) => t.charCodeAt(i),
  newline: (f) => t.indexOf('\n', f),
});
const U8_INDEX_OF = Uint8Array.prototype.indexOf;
const byteScan = (b: Uint8Array): Scan => ({
  length: b.length,
  code: (i) => b[i] ?? -1,
  // TypedArray's own indexOf: Buffer's (a file's bytes are one) allocates on every call.
  newline: (f) => U8_INDEX_OF.call(b, 10, f),
});
const COMMA = 44;
const QUOTE = 34;
const NEWLINE = 10;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/**
 * Where the docs' lines of a chunk laid out as serializeDocChunk writes it lie, as [start, end) pairs (without the
 * comma) one after another, else undefined (no such layout, or trailing commas out of place). The head, the tail
 * and the newlines are ASCII, so the same offsets hold in the text and in its UTF-8 bytes. One typed array: a
 * pair array per line was ~100 KB of young garbage in a warm search at 100k (ten chunks of 64 lines).
 */
function docLines(s: Scan): Int32Array | undefined {
  const head = DOC_HEAD.length;
  const end = s.length - DOC_TAIL.length;
  if (end < head) return undefined;
  for (let i = 0; i < head; i++) if (s.code(i) !== DOC_HEAD.charCodeAt(i)) return undefined;
  for (let i = 0; i < DOC_TAIL.length; i++) if (s.code(end + i) !== DOC_TAIL.charCodeAt(i)) return undefined;
  const pairs = new Int32Array(2 * DOCS_PER_CHUNK);
  let n = 0;
  for (let at = head; ; ) {
    if (n === DOCS_PER_CHUNK) return undefined;
    const nl = s.newline(at);
    const stop = nl === -1 || nl > end ? end : nl;
    const last = stop === end;
    // Every line but the last ends in the comma that separates it from the next doc; the last has none.
    if ((stop > at && s.code(stop - 1) === COMMA) === last) return undefined;
    pairs[2 * n] = at;
    pairs[2 * n + 1] = last ? stop : stop - 1;
    n++;
    if (last) break;
    at = stop + 1;
  }
  return pairs.subarray(0, 2 * n);
}

// ---- validation of what comes back from a mirror, a cache or a previous publish ----

const SHA = /^[0-9a-f]{64}$/;
// Display text is checked at submission; a chunk that carries control or bidi characters anyway is refused.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const MAX_TEXT = 4096;
const MAX_ENTRIES = 10_000_000;

function bad(what: string, why: string): never {
  throw new WharfError('E_SCHEMA', `The search index file ${what} is malformed: ${why}.`, { reason: 'error' });
}

function parse(text: string, what: string): Record<string, unknown> {
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch {
    bad(what, 'it is not JSON');
  }
  if (typeof x !== 'object' || x === null || Array.isArray(x)) bad(what, 'it is not an object');
  const o = x as Record<string, unknown>;
  if (o.v !== INDEX_FORMAT) bad(what, `format ${typeof o.v === 'number' ? o.v : typeof o.v}, expected ${INDEX_FORMAT}`);
  return o;
}

const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isText = (x: unknown, max = MAX_TEXT): x is string =>
  typeof x === 'string' && x.length <= max && !CONTROL.test(x);

function shaList(x: unknown, what: string, field: string): string[] {
  if (!Array.isArray(x) || x.length > MAX_ENTRIES || !x.every((s) => typeof s === 'string' && SHA.test(s)))
    bad(what, `${field} is not a list of sha256 hex digests`);
  return x as string[];
}

export function parseManifest(text: string, what = MANIFEST_PATH): SearchManifest {
  return validateManifest(parse(text, what), what);
}

/**
 * What the query engine reads of a manifest's three long lists, one row at a time: at 100k plugins they are ~2,850
 * strings (1,190 term chunk rows, 1,563 doc chunks, 98 id buckets) of which a warm search reads about a dozen.
 */
export interface ManifestRows {
  readonly termChunks: number;
  termFirst(c: number): string;
  termSha(c: number): string;
  readonly docChunks: number;
  docChunkSha(k: number): string;
}

const IN_PLACE = new WeakMap<SearchManifest, ManifestRows>();

/** The rows of `m`: read in place from its text when parseCheckedManifest made it, else from its arrays. */
export function manifestRows(m: SearchManifest): ManifestRows {
  return (
    IN_PLACE.get(m) ?? {
      termChunks: m.terms.length,
      termFirst: (c) => (m.terms[c] as [string, string])[0],
      termSha: (c) => (m.terms[c] as [string, string])[1],
      docChunks: m.doc_chunks.length,
      docChunkSha: (k) => m.doc_chunks[k] as string,
    }
  );
}

/**
 * The text of a manifest that parseManifest accepted before, unchanged since (a home's cache of checked bytes, whose
 * file stamp vouches for them): parsed, not checked again (~1 ms of a warm CLI search at 100k). facets keeps the
 * prototype-free map validateManifest makes, so that a category named like an Object method finds nothing.
 * Laid out as the publisher writes it, its terms, doc_chunks and id_buckets are read in place (manifestRows), and
 * become arrays only when read as such: JSON.parse of them was ~200 KB of young garbage of a warm `wharf search`
 * at 100k, about what decides whether it needs a second scavenge (~4 ms). Any other layout is parsed whole.
 */
export function parseCheckedManifest(text: string): SearchManifest {
  const at = listsInPlace(text);
  if (!at) {
    const o = JSON.parse(text) as SearchManifest;
    return { ...o, facets: Object.assign(Object.create(null), o.facets) };
  }
  const o = JSON.parse(`${text.slice(0, at.termsKey)}}`) as SearchManifest;
  const rows = at.rows;
  const lazy = <T>(make: () => T) => {
    let v: T | undefined;
    return { enumerable: true, get: () => (v ??= make()) };
  };
  const m = Object.defineProperties(
    { ...o, facets: Object.assign(Object.create(null), o.facets) },
    {
      terms: lazy(() => Array.from({ length: rows.termChunks }, (_, c) => [rows.termFirst(c), rows.termSha(c)])),
      doc_chunks: lazy(() => Array.from({ length: rows.docChunks }, (_, k) => rows.docChunkSha(k))),
      id_buckets: lazy(() => Array.from({ length: at.idBuckets }, (_, b) => shaAt(text, at.idFrom + b * SHA_ROW))),
    },
  ) as SearchManifest;
  IN_PLACE.set(m, rows);
  return m;
}

const SHA_ROW = 67; // "<64 hex digits>",
const TERMS_KEY = ',"terms":[';
const DOC_KEY = '],"doc_chunks":[';
const ID_KEY = '],"id_buckets":[';

const shaAt = (text: string, row: number) => text.slice(row + 1, row + 65);

/**
 * Where the three lists that end a manifest as the publisher writes it (serialize: JSON.stringify of the object in
 * build-index's key order) lie in its text, each row checked for its layout; undefined when anything differs.
 * Only for a manifest that validateManifest accepted before: every digest is 64 hex digits, so each digest row
 * between its quotes is its digest, and each term row is ["<first term>","<digest>"]. The text must end in these
 * keys, so they are the object's last members whatever a category is named, and a string's quotes are escaped,
 * so no key is found inside one.
 */
function listsInPlace(
  text: string,
): { termsKey: number; rows: ManifestRows; idFrom: number; idBuckets: number } | undefined {
  const close = text.endsWith(']}\n') ? text.length - 3 : text.endsWith(']}') ? text.length - 2 : -1;
  const ids = close < 0 ? -1 : text.lastIndexOf(ID_KEY, close);
  const docs = ids < 0 ? -1 : text.lastIndexOf(DOC_KEY, ids);
  const termsKey = docs < 0 ? -1 : text.lastIndexOf(TERMS_KEY, docs);
  if (termsKey < 0) return undefined;
  const docFrom = docs + DOC_KEY.length;
  const idFrom = ids + ID_KEY.length;
  const docChunks = shaRows(text, docFrom, ids);
  const idBuckets = docChunks === undefined ? undefined : shaRows(text, idFrom, close);
  const terms = idBuckets === undefined ? undefined : termRows(text, termsKey + TERMS_KEY.length, docs);
  if (docChunks === undefined || idBuckets === undefined || terms === undefined) return undefined;
  const firsts: string[] = [];
  return {
    termsKey,
    idFrom,
    idBuckets,
    rows: {
      termChunks: terms.length / 2,
      termFirst: (c) => {
        let t = firsts[c];
        if (t === undefined) {
          const raw = text.slice(terms[2 * c] as number, (terms[2 * c + 1] as number) - TERM_ROW_TAIL + 1);
          t = firsts[c] = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        }
        return t;
      },
      termSha: (c) => shaAt(text, (terms[2 * c + 1] as number) - TERM_ROW_TAIL + 2),
      docChunks,
      docChunkSha: (k) => shaAt(text, docFrom + k * SHA_ROW),
    },
  };
}

/** How many digest rows `"<sha>","<sha>",…` lie between from and to, else undefined. */
function shaRows(text: string, from: number, to: number): number | undefined {
  if (to === from) return 0;
  const n = (to - from + 1) / SHA_ROW;
  if (!Number.isInteger(n)) return undefined;
  for (let i = 0, at = from; i < n; i++, at += SHA_ROW) {
    const closed = text.charCodeAt(at) === QUOTE && text.charCodeAt(at + 65) === QUOTE;
    if (!closed || (i < n - 1 && text.charCodeAt(at + 66) !== COMMA)) return undefined;
  }
  return n;
}

const BACKSLASH = 92;
const TERM_ROW_TAIL = 68; // from a term row's first term's closing quote to its closing bracket: ","<64 hex digits>"]"

/**
 * The term rows `["<first>","<sha>"],…` between from and to: for each, where it starts (its first term's opening
 * quote) and where its closing bracket is, two by two; else undefined.
 */
function termRows(text: string, from: number, to: number): Int32Array | undefined {
  const out = new Int32Array(2 * (Math.ceil((to - from) / (TERM_ROW_TAIL + 3)) + 1)); // a row is 71+ characters
  let n = 0;
  for (let at = from; at < to; n++) {
    if (text.charCodeAt(at) !== OPEN_BRACKET || text.charCodeAt(at + 1) !== QUOTE) return undefined;
    // The first term's closing quote: the next quote with an even number of backslashes before it.
    let q = at + 1;
    for (;;) {
      q = text.indexOf('"', q + 1);
      if (q < 0 || q >= to) return undefined;
      let b = 0;
      while (text.charCodeAt(q - 1 - b) === BACKSLASH) b++;
      if (b % 2 === 0) break;
    }
    const end = q + TERM_ROW_TAIL; // the row's closing bracket
    const tail = text.charCodeAt(q + 1) === COMMA && text.charCodeAt(q + 2) === QUOTE;
    if (!tail || end >= to || text.charCodeAt(end - 1) !== QUOTE || text.charCodeAt(end) !== CLOSE_BRACKET)
      return undefined;
    if (2 * n + 1 >= out.length) return undefined;
    out[2 * n] = at + 1;
    out[2 * n + 1] = end;
    const next = end + 1;
    if (next === to) return out.subarray(0, 2 * (n + 1));
    if (text.charCodeAt(next) !== COMMA) return undefined;
    at = next + 1;
  }
  return undefined; // no rows: a manifest always has one
}

/** A manifest already parsed (the site passes objects): checked the same way. */
export function validateManifest(x: unknown, what = MANIFEST_PATH): SearchManifest {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) bad(what, 'it is not an object');
  const o = x as Record<string, unknown>;
  if (o.v !== INDEX_FORMAT) bad(what, `format ${typeof o.v === 'number' ? o.v : typeof o.v}, expected ${INDEX_FORMAT}`);
  if (!isCount(o.docs) || !isCount(o.slots) || o.docs > o.slots) bad(what, 'docs/slots are not counts');
  const categories = o.categories;
  if (!Array.isArray(categories) || categories.length > 4096 || !categories.every((c) => isText(c, 128)))
    bad(what, 'categories is not a list of names');
  const facets = o.facets;
  if (typeof facets !== 'object' || facets === null || Array.isArray(facets)) bad(what, 'facets is not an object');
  const facetMap: Record<string, [number, number]> = Object.create(null);
  for (const [k, v] of Object.entries(facets as Record<string, unknown>)) {
    if (!Array.isArray(v) || v.length !== 2 || !isCount(v[0]) || !isCount(v[1]) || v[1] > v[0])
      bad(what, `facets.${k} is not [all, verified]`);
    facetMap[k] = [v[0], v[1]];
  }
  const common = o.common;
  if (!Array.isArray(common) || common.length > 100_000 || !common.every((t) => isText(t, 256)))
    bad(what, 'common is not a list of terms');
  const terms = o.terms;
  if (!Array.isArray(terms) || terms.length === 0 || terms.length > MAX_ENTRIES) bad(what, 'terms is empty');
  let prev: string | undefined;
  for (const [i, e] of (terms as unknown[]).entries()) {
    if (!Array.isArray(e) || e.length !== 2 || !isText(e[0], 256) || typeof e[1] !== 'string' || !SHA.test(e[1]))
      bad(what, `terms[${i}] is not [first term, sha256]`);
    if (i === 0 ? e[0] !== '' : (e[0] as string) <= (prev as string)) bad(what, `terms[${i}] is out of order`);
    prev = e[0] as string;
  }
  const docChunks = shaList(o.doc_chunks, what, 'doc_chunks');
  if (docChunks.length !== Math.ceil((o.slots as number) / DOCS_PER_CHUNK))
    bad(what, 'doc_chunks does not cover the slots');
  return {
    v: INDEX_FORMAT,
    docs: o.docs as number,
    slots: o.slots as number,
    categories: categories as string[],
    facets: facetMap,
    common: common as string[],
    terms: terms as Array<[string, string]>,
    doc_chunks: docChunks,
    id_buckets: shaList(o.id_buckets, what, 'id_buckets'),
  };
}

/** A term chunk, checked against the range the manifest gives it ([first, next first)) and the slot count. */
export function parseTermChunk(
  text: string,
  what: string,
  range: { first: string; next?: string; slots: number; categories: number },
): TermChunk {
  const o = parse(text, what);
  if (!Array.isArray(o.terms) || o.terms.length > MAX_ENTRIES) bad(what, 'terms is not a list');
  let prev: string | undefined;
  for (const [i, e] of (o.terms as unknown[]).entries()) {
    if (!Array.isArray(e) || e.length !== 3 || !isText(e[0], 256) || e[0] === '' || !isCount(e[1]))
      bad(what, `terms[${i}] is not [term, df, postings]`);
    const term = e[0] as string;
    if (term < range.first || (range.next !== undefined && term >= range.next) || (prev !== undefined && term <= prev))
      bad(what, `terms[${i}] is out of order or outside the chunk's range`);
    prev = term;
    const p = e[2];
    if (!Array.isArray(p) || p.length % 3 !== 0 || p.length / 3 > (e[1] as number) || p.length / 3 > POSTING_CAP)
      bad(what, `the postings of "${term}" do not fit its df`);
    for (let j = 0; j < p.length; j += 3) {
      const doc = p[j];
      const score = p[j + 1];
      const meta = p[j + 2];
      if (!isCount(doc) || doc >= range.slots || !isCount(score) || score > 1e9 || !isCount(meta))
        bad(what, `a posting of "${term}" is not [doc, score, meta]`);
      if (meta >> 1 >= range.categories) bad(what, `a posting of "${term}" names no category`);
    }
  }
  return o as unknown as TermChunk;
}

const OPTIONAL_TEXT = ['name_zh', 'short_zh', 'updated', 'author'] as const;

function checkDoc(x: unknown, what: string, i: number): SearchDoc {
  const d = x as Record<string, unknown>;
  const ok =
    typeof d === 'object' &&
    d !== null &&
    !Array.isArray(d) &&
    isText(d.id, 64) &&
    isText(d.name) &&
    isText(d.short) &&
    isText(d.category, 128) &&
    isText(d.latest, 256) &&
    typeof d.verified === 'boolean' &&
    typeof d.featured === 'boolean' &&
    OPTIONAL_TEXT.every((k) => d[k] === undefined || isText(d[k])) &&
    (d.tags === undefined || (Array.isArray(d.tags) && d.tags.length <= 64 && d.tags.every((t) => isText(t, 128)))) &&
    (d.downloads === undefined || isCount(d.downloads)) &&
    (d.stars === undefined || isCount(d.stars));
  if (!ok) bad(what, `docs[${i}] is not a search doc`);
  return d as unknown as SearchDoc;
}

export function parseDocChunk(text: string, what: string): DocChunk {
  return { v: INDEX_FORMAT, docs: fullDocs(text, what).map((d, i) => (d === null ? null : checkDoc(d, what, i))) };
}

/** A doc chunk read for a query: its docs are checked as they are read (see openDocChunk). */
export interface DocRows {
  readonly length: number;
  /** The doc at `i`, checked on its first read (E_SCHEMA when malformed); null for a removed or missing one. */
  at(i: number): SearchDoc | null;
}

/**
 * parseDocChunk for a query, which shows a few of a chunk's 64 docs: each doc is parsed (when the chunk has the
 * one-doc-per-line layout) and checked when it is first read, not all of them at open. What is read (shown,
 * filtered, sorted) is checked exactly as parseDocChunk checks it; a doc whose line is not one JSON value is
 * refused when it is read (E_SCHEMA), as a full parse refuses such a chunk. Given the file's bytes, only the lines
 * read are decoded (`decode`, UTF-8): the ten chunks a query at 100k opens are ~0.4 MB that need not become text.
 */
export function openDocChunk(
  file: string | Uint8Array,
  what: string,
  decode: (bytes: Uint8Array) => string = decodeUtf8,
): DocRows {
  const lines = docLines(typeof file === 'string' ? textScan(file) : byteScan(file));
  const text = () => (typeof file === 'string' ? file : decode(file));
  const line = (i: number) => {
    const a = (lines as Int32Array)[2 * i] as number;
    const b = (lines as Int32Array)[2 * i + 1] as number;
    return typeof file === 'string' ? file.slice(a, b) : decode(file.subarray(a, b));
  };
  let raw = lines ? undefined : fullDocs(text(), what);
  const length = lines ? lines.length / 2 : (raw as unknown[]).length;
  return checkedRows(length, what, (i: number): unknown => {
    if (raw) return raw[i];
    try {
      return JSON.parse(line(i));
    } catch {
      // A chunk that is JSON only as a whole (a doc over several lines): as parseDocChunk reads it, or refused.
      // Parsed once: every later read takes its docs from it.
      raw = fullDocs(text(), what);
      if (raw.length !== length) bad(what, 'its docs are not one per line');
      return raw[i];
    }
  });
}

/**
 * The lines of a doc chunk laid out one doc per line (serializeDocChunk), read one at a time by the caller: a
 * CLI that kept the chunk, and where its lines lie, reads only the lines a query shows. `line(i)` is doc i's JSON as
 * the chunk holds it (no separating comma).
 */
export interface DocLines {
  readonly length: number;
  line(i: number): string;
}

/**
 * openDocChunk over lines the caller reads: each doc parsed and checked on its first read, as openDocChunk checks
 * it; a line that is not one JSON value is refused (E_SCHEMA): the caller vouches that the chunk has the layout.
 */
export function docRowsOfLines(lines: DocLines, what: string): DocRows {
  const length = lines.length;
  if (!Number.isSafeInteger(length) || length < 0 || length > DOCS_PER_CHUNK) bad(what, 'docs is not a list');
  return checkedRows(length, what, (i) => {
    try {
      return JSON.parse(lines.line(i));
    } catch {
      bad(what, `docs[${i}] is not one JSON line`);
    }
  });
}

/** Rows read by `rawAt`, each checked (checkDoc) on its first read and kept. */
function checkedRows(length: number, what: string, rawAt: (i: number) => unknown): DocRows {
  const checked: Array<SearchDoc | null | undefined> = [];
  return {
    length,
    at(i) {
      if (!(i >= 0 && i < length)) return null;
      let d = checked[i];
      if (d === undefined) {
        const x = rawAt(i);
        d = checked[i] = x === null ? null : checkDoc(x, what, i);
      }
      return d;
    },
  };
}

/**
 * Where the docs' lines of a doc chunk's bytes lie, as [start, end) pairs one after another (docLines), when it has
 * the one-doc-per-line layout; undefined otherwise (a term chunk, an id bucket, another layout).
 */
export function docLineOffsets(bytes: Uint8Array): Int32Array | undefined {
  return docLines(byteScan(bytes));
}

/**
 * Whether [start, end) pairs tile a doc chunk of `size` bytes as serializeDocChunk lays it out, as docLineOffsets
 * would find them: the first line right after the head, each next one after a comma and newline, the last ending
 * where the tail begins, none empty. For a record of a chunk's lines kept apart from it.
 */
export function docLinesTile(pairs: ArrayLike<number>, size: number): boolean {
  const n = pairs.length;
  if (n === 0 || n % 2 !== 0 || n > 2 * DOCS_PER_CHUNK) return false;
  if (pairs[0] !== DOC_HEAD.length || pairs[n - 1] !== size - DOC_TAIL.length) return false;
  for (let i = 0; i < n; i += 2) {
    if (!((pairs[i + 1] as number) > (pairs[i] as number))) return false;
    if (i > 0 && pairs[i] !== (pairs[i - 1] as number) + 2) return false;
  }
  return true;
}

/**
 * A doc line read with the bytes around it (`around`: from the byte before the line to the end of what follows
 * it, a comma and newline, or for the `last` line the tail's newline), when they make it one line of the layout:
 * the line, else undefined.
 */
export function docLineIn(around: Uint8Array, last: boolean): Uint8Array | undefined {
  const inner = around.length - (last ? 2 : 3);
  if (inner < 1 || around[0] !== NEWLINE) return undefined;
  const after = last ? around[inner + 1] === NEWLINE : around[inner + 1] === COMMA && around[inner + 2] === NEWLINE;
  const line = around.subarray(1, inner + 1);
  // A newline inside would be two docs (JSON text never holds a raw one).
  return after && U8_INDEX_OF.call(line, NEWLINE) < 0 ? line : undefined;
}

let utf8: TextDecoder | undefined;
/** UTF-8 text of bytes (made on first use: a CLI that passes its own decoder never builds one). */
export function decodeUtf8(bytes: Uint8Array): string {
  utf8 ??= new TextDecoder();
  return utf8.decode(bytes);
}

function fullDocs(text: string, what: string): unknown[] {
  const o = parse(text, what);
  if (!Array.isArray(o.docs) || o.docs.length > DOCS_PER_CHUNK) bad(what, 'docs is not a list');
  return o.docs as unknown[];
}

export function parseIdBucket(text: string, what: string): IdBucket {
  const o = parse(text, what);
  const ids = o.ids;
  if (typeof ids !== 'object' || ids === null || Array.isArray(ids)) bad(what, 'ids is not an object');
  const out: IdBucket['ids'] = Object.create(null);
  for (const [id, v] of Object.entries(ids as Record<string, unknown>)) {
    if (!Array.isArray(v) || v.length !== 2 || !isCount(v[0]) || !Array.isArray(v[1]) || v[1].length % 2 !== 0)
      bad(what, `ids.${id} is not [doc, terms]`);
    const terms = v[1] as unknown[];
    for (let j = 0; j < terms.length; j += 2)
      if (!isText(terms[j], 256) || !isCount(terms[j + 1])) bad(what, `ids.${id} has a malformed term`);
    out[id] = [v[0], terms as Array<string | number>];
  }
  return { v: INDEX_FORMAT, ids: out };
}
