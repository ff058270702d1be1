import { WharfError } from '../errors.js';
import { displayDoc, docPostings, rawTerms } from './doc-terms.js';
import {
  COMMON_MIN_DOCS,
  COMMON_SHARE,
  DOCS_PER_CHUNK,
  IDS_PER_BUCKET,
  type IdBucket,
  INDEX_FORMAT,
  MANIFEST_PATH,
  type SearchDoc,
  type SearchDocInput,
  type SearchManifest,
  serialize,
  type TermEntry,
} from './index-format.js';
import { bucketOf, capPostings, FileSink, writeTermChunks } from './index-writer.js';

/**
 * The whole index from scratch. Doc numbers follow downloads (most first), so the docs a first page shows
 * tend to share a few doc chunks. Catalog-common terms are computed here and frozen in the manifest for the
 * updates that follow, until the next full build. `opts.sha256` names the files (default @noble/hashes' sha256 of
 * their UTF-8 text; what names them must be what the reader verifies them with).
 */
export function buildSearchIndex(
  docs: SearchDocInput[],
  opts: { sha256?: (text: string) => string } = {},
): { manifest: SearchManifest; files: Map<string, string> } {
  const seen = new Set<string>();
  for (const d of docs) {
    if (seen.has(d.id)) throw new WharfError('E_SCHEMA', `The search index input lists ${d.id} twice.`);
    seen.add(d.id);
  }
  const ordered = [...docs].sort(
    (a, b) => (b.downloads ?? 0) - (a.downloads ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const categories = [...new Set(ordered.map((d) => d.category))].sort();
  const catIndex = new Map(categories.map((c, i) => [c, i]));
  const common = commonTerms(ordered);
  const table = new Map<string, number[]>();
  const buckets = Math.max(1, Math.ceil(ordered.length / IDS_PER_BUCKET));
  const idBuckets: Array<IdBucket['ids']> = Array.from({ length: buckets }, () => ({}));
  const facets: Record<string, [number, number]> = {};
  const sink = new FileSink(opts.sha256);
  const docRows: Array<SearchDoc | null> = [];
  const docShas: string[] = [];
  for (const [docNo, d] of ordered.entries()) {
    const meta = (catIndex.get(d.category) as number) * 2 + (d.verified ? 1 : 0);
    const record: Array<string | number> = [];
    for (const [term, score] of docPostings(d, common)) {
      const list = table.get(term) ?? [];
      if (list.length === 0) table.set(term, list);
      list.push(docNo, score, meta);
      record.push(term, score);
    }
    (idBuckets[bucketOf(d.id, buckets)] as IdBucket['ids'])[d.id] = [docNo, record];
    const f = facets[d.category] ?? [0, 0];
    facets[d.category] = f;
    f[0] += 1;
    if (d.verified) f[1] += 1;
    docRows.push(displayDoc(d));
    if (docRows.length === DOCS_PER_CHUNK) docShas.push(sink.docChunk(docRows.splice(0)));
  }
  if (docRows.length > 0) docShas.push(sink.docChunk(docRows));
  const entries: TermEntry[] = [...table.keys()]
    .sort()
    .map((t) => [t, (table.get(t) as number[]).length / 3, capPostings(table.get(t) as number[])]);
  const manifest: SearchManifest = {
    v: INDEX_FORMAT,
    docs: ordered.length,
    slots: ordered.length,
    categories,
    facets,
    common: [...common].sort(),
    terms: writeTermChunks(sink, entries, ''),
    doc_chunks: docShas,
    id_buckets: idBuckets.map((b) => sink.idBucket(b)),
  };
  sink.files.set(MANIFEST_PATH, serialize(manifest));
  return { manifest, files: sink.files };
}

/** Terms in more than a fifth of the docs once there are 500: they rank nothing and cost the most bytes. */
function commonTerms(docs: SearchDocInput[]): Set<string> {
  if (docs.length < COMMON_MIN_DOCS) return new Set();
  const df = new Map<string, number>();
  for (const d of docs) for (const t of rawTerms(d)) df.set(t, (df.get(t) ?? 0) + 1);
  return new Set([...df].filter(([, n]) => n > COMMON_SHARE * docs.length).map(([t]) => t));
}
