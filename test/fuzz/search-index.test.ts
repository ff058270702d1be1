import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWharfError } from '../../schemas/src/index.js';
import {
  buildSearchIndex,
  editDistance,
  indexFiles,
  MANIFEST_PATH,
  oneEditApart,
  openSearchIndex,
  parseManifest,
  type SearchDocInput,
  type SearchManifest,
  sha256HexSync,
  updateSearchIndex,
} from '../../schemas/src/search-index/index.js';
import { mutated, mutatedText, nastyString } from './json-mutations.js';
import { FUZZ_RUNS } from './only-wharf-errors.js';

// The sharded search index is network input (site and CLI): whatever a query string is and whatever a mirror
// serves as a chunk (even one whose hash a manifest names), the engine answers or refuses with a WharfError. And
// an incremental update answers every query as a rebuild of the same docs does.

const doc = (id: string, words: string, extra: Partial<SearchDocInput> = {}): SearchDocInput => ({
  id,
  name: words.split(' ').slice(0, 2).join(' ') || id,
  short: words,
  category: 'utility',
  latest: '1.0.0',
  verified: false,
  featured: false,
  ...extra,
});

const WORDS = ['count', 'vowels', 'markdown', 'table', 'calendar', 'sync', '企业微信', 'greet', 'json', 'format'];
const BASE = buildSearchIndex(
  WORDS.map((w, i) => doc(`plugin-${i}`, `${w} ${WORDS[(i + 3) % WORDS.length]} helper`, { downloads: i })),
);

async function onlyWharf(p: () => Promise<unknown>): Promise<void> {
  try {
    await p();
  } catch (e) {
    if (isWharfError(e) && /^E_[A-Z_]+$/.test(e.code)) return;
    throw e;
  }
}

const query = fc.oneof(nastyString, fc.string({ unit: 'grapheme', maxLength: 30 }), fc.constantFrom(...WORDS));
const options = fc.record(
  {
    limit: fc.oneof(fc.integer({ min: -5, max: 2000 }), fc.constant(Number.NaN)),
    offset: fc.integer({ min: -5, max: 50 }),
    category: fc.oneof(nastyString, fc.constant('utility')),
    verified: fc.boolean(),
    sort: fc.constantFrom('relevance', 'downloads', 'updated', 'name'),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Parameters<ReturnType<typeof openSearchIndex>['query']>[1]>;

describe('fuzz: the sharded search index', () => {
  it('oneEditApart is editDistance(a, b.slice(0, n), 1) === 1, swaps included', () => {
    // A small alphabet (and one astral letter, two code units) so that near words are common.
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', '𝒜'), maxLength: 9 });
    fc.assert(
      fc.property(word, word, fc.nat(12), (a, b, k) => {
        const n = Math.min(k, b.length);
        expect(oneEditApart(a, b, n)).toBe(editDistance(a, b.slice(0, n), 1) === 1);
        expect(oneEditApart(a, b)).toBe(editDistance(a, b, 1) === 1);
      }),
      { numRuns: FUZZ_RUNS * 20 },
    );
    expect([
      oneEditApart('vowle', 'vowel'),
      oneEditApart('calendar', 'calender'),
      oneEditApart('sync', 'sync'),
    ]).toEqual([true, true, false]);
  });

  it('a query string and options never throw anything but a WharfError', async () => {
    const files = BASE.files;
    await fc.assert(
      fc.asyncProperty(query, options, (q, o) =>
        onlyWharf(() => openSearchIndex(BASE.manifest, async (p) => files.get(p) ?? '').query(q, o)),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('a mutated chunk, even one its manifest names by hash, is refused with a WharfError', async () => {
    const chunks = [...indexFiles(BASE.manifest, { idBuckets: false }).keys()];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...chunks),
        fc.boolean(),
        fc.constantFrom(...chunks).chain((p) => mutatedText(mutated(JSON.parse(BASE.files.get(p) as string)))),
        query,
        fc.boolean(),
        async (path, rehash, text, q, asBytes) => {
          const files = new Map(BASE.files);
          let manifest: SearchManifest = BASE.manifest;
          const oldSha = indexFiles(BASE.manifest).get(path) as string;
          if (rehash) {
            // A publisher bug: the manifest names the malformed chunk's own hash.
            const sha = sha256HexSync(text);
            const swap = (s: string) => (s === oldSha ? sha : s);
            manifest = {
              ...manifest,
              terms: manifest.terms.map(([f, s]) => [f, swap(s)] as [string, string]),
              doc_chunks: manifest.doc_chunks.map(swap),
            };
            files.set(`${path.slice(0, 2)}${sha.slice(0, 20)}.json`, text);
          } else files.set(path, text);
          // As the site loads them (text) or as the CLI reads its cache (the bytes, decoded line by line).
          const load = async (p: string) =>
            asBytes ? new TextEncoder().encode(files.get(p) ?? '') : (files.get(p) ?? '');
          await onlyWharf(() => openSearchIndex(manifest, load).query(q));
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('a mutated manifest is accepted or refused with a WharfError', () => {
    fc.assert(
      fc.property(mutatedText(mutated(BASE.manifest)), (text) => {
        try {
          parseManifest(text);
        } catch (e) {
          if (!isWharfError(e)) throw e;
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('an update answers every query as a rebuild of the same docs does', async () => {
    const word = fc.constantFrom(...WORDS, 'alpha', 'beta', 'gamma', 'delta');
    const docArb = fc.record({
      id: fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `p-${i}`)),
      words: fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' ')),
      verified: fc.boolean(),
      category: fc.constantFrom('utility', 'fun', 'data'),
      downloads: fc.nat(1000),
    });
    const toDoc = (d: { id: string; words: string; verified: boolean; category: string; downloads: number }) =>
      doc(d.id, d.words, { verified: d.verified, category: d.category, downloads: d.downloads });
    const unique = (ds: SearchDocInput[]) => [...new Map(ds.map((d) => [d.id, d])).values()];
    await fc.assert(
      fc.asyncProperty(
        fc.array(docArb, { minLength: 1, maxLength: 10 }),
        fc.array(docArb, { maxLength: 5 }),
        fc.array(fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `p-${i}`)), { maxLength: 4 }),
        fc.array(
          fc.oneof(
            word,
            word.map((w) => w.slice(0, 3)),
            word.map((w) => `${w}x`),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        async (initial, changed, removed, queries) => {
          const start = unique(initial.map(toDoc));
          const edits = unique(changed.map(toDoc));
          const built = buildSearchIndex(start);
          const store = new Map(built.files);
          const up = await updateSearchIndex(built.manifest, async (p) => store.get(p) as string, edits, removed);
          for (const [p, t] of up.files) store.set(p, t);
          const editIds = new Set(edits.map((d) => d.id));
          const final = [...start.filter((d) => !editIds.has(d.id) && !removed.includes(d.id)), ...edits];
          const rebuilt = buildSearchIndex(final);
          const a = openSearchIndex(up.files.get(MANIFEST_PATH) as string, async (p) => store.get(p) as string);
          const b = openSearchIndex(rebuilt.manifest, async (p) => rebuilt.files.get(p) as string);
          for (const q of ['', ...queries, queries.join(' ')]) {
            const [ra, rb] = await Promise.all([a.query(q, { limit: 100 }), b.query(q, { limit: 100 })]);
            const norm = (r: typeof ra) =>
              `${r.total}|${r.hits
                .map((h) => `${h.id}:${h.score}:${h.latest}`)
                .sort()
                .join(',')}`;
            if (norm(ra) !== norm(rb)) throw new Error(`"${q}": update ${norm(ra)} != rebuild ${norm(rb)}`);
          }
        },
      ),
      { numRuns: Math.min(FUZZ_RUNS, 1000) },
    );
  });
});
