import { WharfError } from '../errors.js';
import { sha256HexSync } from './content-hash.js';
import { displayDoc, docPostings } from './doc-terms.js';
import {
  DOCS_PER_CHUNK,
  type DocChunk,
  docChunkPath,
  type IdBucket,
  idBucketPath,
  MANIFEST_PATH,
  parseDocChunk,
  parseIdBucket,
  parseTermChunk,
  type SearchDoc,
  type SearchDocInput,
  type SearchManifest,
  serialize,
  TERM_CHUNK_BYTES,
  type TermEntry,
  termChunkPath,
} from './index-format.js';
import { bucketOf, capPostings, chunkIndexFor, FileSink, writeTermChunks } from './index-writer.js';

interface TermOps {
  remove: Set<number>;
  add: Map<number, [number, number]>;
}

/**
 * Apply one publish to an index: `changed` docs (new or edited) and `removedIds`. Reads only the id buckets,
 * doc chunks and term chunks those plugins touch, and returns only the files that are new plus the new
 * manifest, so the cost is a few chunks whatever the catalog size. Doc numbers are stable: an edited plugin
 * keeps its number, a new one gets the next, a removed one leaves a null. The common-term list, the bucket
 * count and capped lists are as the last full build left them (a capped list takes a new doc only when it
 * beats its worst posting).
 */
export async function updateSearchIndex(
  prev: SearchManifest,
  read: (path: string) => Promise<string>,
  changed: SearchDocInput[],
  removedIds: string[],
): Promise<{ manifest: SearchManifest; files: Map<string, string> }> {
  const load = async (path: string, sha: string) => {
    const text = await read(path);
    if (sha256HexSync(text) !== sha)
      throw new WharfError('E_INDEX_HASH', `The search index file ${path} does not match its manifest's sha256.`);
    return text;
  };
  const sink = new FileSink();
  const common = new Set(prev.common);
  const categories = [...prev.categories];
  const facets: Record<string, [number, number]> = {};
  for (const [k, v] of Object.entries(prev.facets)) facets[k] = [v[0], v[1]];
  const docShas = [...prev.doc_chunks];
  const nBuckets = prev.id_buckets.length;
  let slots = prev.slots;
  let docs = prev.docs;

  const last = new Map<string, SearchDocInput>();
  for (const d of changed) last.set(d.id, d);
  const removed = new Set(removedIds.filter((id) => !last.has(id)));
  const ids = [...last.keys(), ...removed];

  const buckets = new Map<number, IdBucket['ids']>();
  for (const b of new Set(ids.map((id) => bucketOf(id, nBuckets)))) {
    const sha = prev.id_buckets[b] as string;
    buckets.set(b, parseIdBucket(await load(idBucketPath(sha), sha), idBucketPath(sha)).ids);
  }
  const docChunks = new Map<number, DocChunk['docs']>();
  const docChunk = async (k: number) => {
    let c = docChunks.get(k);
    if (!c) {
      const sha = docShas[k];
      c = sha ? parseDocChunk(await load(docChunkPath(sha), sha), docChunkPath(sha)).docs : [];
      docChunks.set(k, c);
    }
    return c;
  };
  const ops = new Map<string, TermOps>();
  const opsOf = (t: string) => {
    const o = ops.get(t) ?? { remove: new Set<number>(), add: new Map<number, [number, number]>() };
    ops.set(t, o);
    return o;
  };
  const facet = (d: SearchDoc | null | undefined, by: number) => {
    if (!d) return;
    const f = facets[d.category] ?? [0, 0];
    facets[d.category] = f;
    f[0] += by;
    if (d.verified) f[1] += by;
    if (f[0] <= 0) delete facets[d.category];
  };
  // Take a plugin's previous postings out; returns its doc number, or undefined when it was not indexed.
  const unindex = async (id: string): Promise<number | undefined> => {
    const bucket = buckets.get(bucketOf(id, nBuckets)) as IdBucket['ids'];
    const entry = bucket[id];
    if (!entry) return undefined;
    const [docNo, terms] = entry;
    for (let i = 0; i < terms.length; i += 2) opsOf(terms[i] as string).remove.add(docNo);
    const rows = await docChunk(Math.floor(docNo / DOCS_PER_CHUNK));
    facet(rows[docNo % DOCS_PER_CHUNK], -1);
    rows[docNo % DOCS_PER_CHUNK] = null;
    delete bucket[id];
    return docNo;
  };

  for (const id of removed) if ((await unindex(id)) !== undefined) docs -= 1;
  for (const d of last.values()) {
    let docNo = await unindex(d.id);
    if (docNo === undefined) {
      docNo = slots++;
      docs += 1;
      if (docNo % DOCS_PER_CHUNK === 0) docShas.push('');
    }
    if (!categories.includes(d.category)) categories.push(d.category);
    const meta = categories.indexOf(d.category) * 2 + (d.verified ? 1 : 0);
    const record: Array<string | number> = [];
    for (const [term, score] of docPostings(d, common)) {
      opsOf(term).add.set(docNo, [score, meta]);
      record.push(term, score);
    }
    (buckets.get(bucketOf(d.id, nBuckets)) as IdBucket['ids'])[d.id] = [docNo, record];
    const rows = await docChunk(Math.floor(docNo / DOCS_PER_CHUNK));
    while (rows.length <= docNo % DOCS_PER_CHUNK) rows.push(null);
    const shown = displayDoc(d);
    rows[docNo % DOCS_PER_CHUNK] = shown;
    facet(shown, 1);
  }

  // Term chunks: each affected one is rewritten (split when it grew past twice the target, dropped when empty).
  const firsts = prev.terms.map((t) => t[0]);
  const byChunk = new Map<number, string[]>();
  for (const t of ops.keys()) {
    const c = chunkIndexFor(firsts.length, (i) => firsts[i] as string, t);
    byChunk.set(c, [...(byChunk.get(c) ?? []), t]);
  }
  const replaced = new Map<number, Array<[string, string]>>();
  for (const [c, terms] of byChunk) {
    const [first, sha] = prev.terms[c] as [string, string];
    const path = termChunkPath(sha);
    const chunk = parseTermChunk(await load(path, sha), path, {
      first,
      next: firsts[c + 1],
      slots: prev.slots,
      categories: prev.categories.length,
    });
    const table = new Map<string, TermEntry>(chunk.terms.map((e) => [e[0], e]));
    for (const t of terms) {
      const o = ops.get(t) as TermOps;
      const e = table.get(t);
      let df = e?.[1] ?? 0;
      const rows = new Map<number, [number, number]>();
      const p = e?.[2] ?? [];
      for (let i = 0; i < p.length; i += 3) rows.set(p[i] as number, [p[i + 1] as number, p[i + 2] as number]);
      for (const doc of o.remove) {
        rows.delete(doc);
        df -= 1;
      }
      for (const [doc, v] of o.add) {
        rows.set(doc, v);
        df += 1;
      }
      const flat = [...rows.keys()]
        .sort((a, b) => a - b)
        .flatMap((doc) => [doc, ...(rows.get(doc) as [number, number])]);
      if (df <= 0 || flat.length === 0) table.delete(t);
      else table.set(t, [t, Math.max(df, flat.length / 3), capPostings(flat)]);
    }
    const entries = [...table.keys()].sort().map((t) => table.get(t) as TermEntry);
    if (entries.length === 0 && c > 0) replaced.set(c, []);
    else {
      // Splitting only past twice the target keeps one publish to one rewritten chunk almost always.
      const size = serialize(entries).length;
      replaced.set(
        c,
        size > 2 * TERM_CHUNK_BYTES ? writeTermChunks(sink, entries, first) : [[first, sink.termChunk(entries)]],
      );
    }
  }
  const terms: Array<[string, string]> = prev.terms.flatMap((row, c) => replaced.get(c) ?? [row]);

  for (const [k, rows] of docChunks) docShas[k] = sink.docChunk(rows);
  const idShas = [...prev.id_buckets];
  for (const [b, bucket] of buckets) idShas[b] = sink.idBucket(bucket);
  const manifest: SearchManifest = {
    v: prev.v,
    docs,
    slots,
    categories,
    facets,
    common: prev.common,
    terms,
    doc_chunks: docShas,
    id_buckets: idShas,
  };
  sink.files.set(MANIFEST_PATH, serialize(manifest));
  return { manifest, files: sink.files };
}
