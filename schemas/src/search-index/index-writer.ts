// Turning postings into files, shared by the full build and the incremental update so both write the same shapes.
import { sha256HexSync } from './content-hash.js';
import {
  type DocChunk,
  docChunkPath,
  type IdBucket,
  INDEX_FORMAT,
  idBucketPath,
  POSTING_CAP,
  serialize,
  serializeDocChunk,
  TERM_CHUNK_BYTES,
  type TermChunk,
  type TermEntry,
  termChunkPath,
} from './index-format.js';

/** A term's df and postings, flat [doc, score, meta, ...] sorted by doc. */
export interface TermPostings {
  df: number;
  postings: number[];
}

/** Keep the best POSTING_CAP postings (score, then lower doc), back in doc order. */
export function capPostings(flat: number[]): number[] {
  if (flat.length / 3 <= POSTING_CAP) return flat;
  const rows: Array<[number, number, number]> = [];
  for (let i = 0; i < flat.length; i += 3) rows.push([flat[i] as number, flat[i + 1] as number, flat[i + 2] as number]);
  rows.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const kept = rows.slice(0, POSTING_CAP).sort((a, b) => a[0] - b[0]);
  return kept.flat();
}

export class FileSink {
  readonly files = new Map<string, string>();
  /** `hash`: sha256 hex of a file's UTF-8 text; a Node caller passes node:crypto's, several times faster. */
  constructor(private readonly hash: (text: string) => string = sha256HexSync) {}
  put(pathOf: (sha: string) => string, text: string): string {
    const sha = this.hash(text);
    this.files.set(pathOf(sha), text);
    return sha;
  }
  termChunk(entries: TermEntry[]): string {
    return this.put(termChunkPath, serialize({ v: INDEX_FORMAT, terms: entries } satisfies TermChunk));
  }
  docChunk(docs: DocChunk['docs']): string {
    return this.put(docChunkPath, serializeDocChunk(docs));
  }
  idBucket(ids: IdBucket['ids']): string {
    // Keys sorted: the same bucket content always hashes the same.
    const sorted: IdBucket['ids'] = {};
    for (const k of Object.keys(ids).sort()) sorted[k] = ids[k] as IdBucket['ids'][string];
    return this.put(idBucketPath, serialize({ v: INDEX_FORMAT, ids: sorted } satisfies IdBucket));
  }
}

/**
 * Cut sorted term entries into chunks near TERM_CHUNK_BYTES; `first` is the first chunk's range start (""
 * for the whole index, the old chunk's first term when an update splits one). Returns [first term, sha] rows.
 */
export function writeTermChunks(sink: FileSink, entries: TermEntry[], first: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let cur: TermEntry[] = [];
  let bytes = 0;
  let start = first;
  for (const e of entries) {
    const size = e[0].length + 16 + e[2].length * 5;
    if (cur.length > 0 && bytes + size > TERM_CHUNK_BYTES) {
      out.push([start, sink.termChunk(cur)]);
      cur = [];
      bytes = 0;
      start = e[0];
    }
    cur.push(e);
    bytes += size;
  }
  out.push([start, sink.termChunk(cur)]);
  return out;
}

/** FNV-1a: which id bucket an id lives in. */
export function bucketOf(id: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % buckets;
}

/** Where `term` lives: the last chunk whose first term is ≤ it (binary search over the manifest's rows). */
export function chunkIndexFor(count: number, firstAt: (c: number) => string, term: string): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (firstAt(mid) <= term) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
