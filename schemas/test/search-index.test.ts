// The sharded search engine on real files in memory: build, query, update, and refusals of tampered input.
import { describe, expect, it } from 'vitest';
import { isWharfError } from '../src/index.js';
import {
  buildSearchIndex,
  docLineOffsets,
  docLinesTile,
  editDistance,
  MANIFEST_PATH,
  manifestRows,
  openSearchIndex,
  POSTING_CAP,
  parseCheckedManifest,
  type SearchDocInput,
  type SearchManifest,
  serialize,
  sha256HexSync,
  TERM_CHUNK_BYTES,
  updateSearchIndex,
} from '../src/search-index/index.js';

const doc = (id: string, name: string, short: string, extra: Partial<SearchDocInput> = {}): SearchDocInput => ({
  id,
  name,
  short,
  category: 'utility',
  latest: '1.0.0',
  verified: false,
  featured: false,
  ...extra,
});

const DOCS: SearchDocInput[] = [
  doc('count-vowels', 'Count Vowels', 'Counts the vowels in a text', { tags: ['text'], downloads: 50 }),
  doc('word-stats', 'Word Stats', 'Word and sentence statistics for documents', { downloads: 10 }),
  doc('greet', 'Greet', 'Says hello to someone', { verified: true, category: 'fun' }),
  doc('wecom-bridge', 'WeCom Bridge', 'Sends messages to WeCom', {
    name_zh: '企业微信桥',
    short_zh: '把消息发到企业微信',
    description_zh: '把消息发到企业微信群',
  }),
  doc('markdown-table', 'Markdown Table', 'Formats markdown tables nicely', { tags: ['markdown'] }),
  doc('calendar-sync', 'Calendar Sync', 'Synchronises calendars', { downloads: 1000 }),
];

const utf8 = new TextEncoder();

/** The index over `files`; with `asBytes` each file is loaded as its UTF-8 bytes (as the CLI reads its cache). */
function open(
  files: Map<string, string>,
  manifest: SearchManifest | string = files.get(MANIFEST_PATH) as string,
  asBytes = false,
) {
  const loads: string[] = [];
  const idx = openSearchIndex(manifest, async (p) => {
    loads.push(p);
    const t = files.get(p);
    if (t === undefined) throw new Error(`no ${p}`);
    return asBytes ? utf8.encode(t) : t;
  });
  return { idx, loads };
}

const ids = (r: { hits: Array<{ id: string }> }) => r.hits.map((h) => h.id);

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isWharfError(e) ? e.code : `not a WharfError: ${(e as Error).message}`;
  }
}

describe('the sharded search index', () => {
  const { files } = buildSearchIndex(DOCS);

  it('finds exact words, ranks id and name above text, and ANDs words', async () => {
    const { idx } = open(files);
    expect(ids(await idx.query('vowels'))).toEqual(['count-vowels']);
    expect(ids(await idx.query('word statistics'))).toEqual(['word-stats']);
    expect(ids(await idx.query('word hello'))).toEqual([]);
    const r = await idx.query('markdown');
    expect(r.total).toBe(1);
    expect(r.hits[0]).toMatchObject({
      id: 'markdown-table',
      name: 'Markdown Table',
      latest: '1.0.0',
      tags: ['markdown'],
    });
  });

  it('matches the last word as a prefix from 2 letters, and typos from 4 letters only', async () => {
    const { idx } = open(files);
    expect(ids(await idx.query('calen'))).toEqual(['calendar-sync']);
    expect(ids(await idx.query('c'))).toEqual([]);
    expect(ids(await idx.query('markdwn'))).toEqual(['markdown-table']); // one edit, 7 letters
    expect(ids(await idx.query('gret'))).toEqual(['greet']); // one edit, 4 letters
    expect(ids(await idx.query('gre'))).toEqual(['greet']); // prefix
    expect(ids(await idx.query('count vowle'))).toEqual(['count-vowels']); // a swap, typed as a prefix of vowels
    expect(ids(await idx.query('wrod stats'))).toEqual(['word-stats']); // a swap in a 4-letter word
    expect(editDistance('vowle', 'vowel', 1)).toBe(1);
    expect(editDistance('vowle', 'vewol', 1)).toBe(2); // capped at max + 1
    expect((await idx.query('hellp world')).total).toBe(0); // 'hellp' would match, 'world' does not
  });

  it('matches Chinese text by bigrams and a single CJK character by prefix', async () => {
    const { idx } = open(files);
    expect(ids(await idx.query('企业微信'))).toEqual(['wecom-bridge']);
    expect(ids(await idx.query('微信'))).toEqual(['wecom-bridge']);
    expect(ids(await idx.query('企'))).toEqual(['wecom-bridge']);
  });

  it('filters by category and verified, pages, and sorts', async () => {
    const { idx } = open(files);
    expect(ids(await idx.query('greet', { category: 'fun', verified: true }))).toEqual(['greet']);
    expect((await idx.query('greet', { category: 'utility' })).total).toBe(0);
    expect((await idx.query('greet', { category: 'nope' })).total).toBe(0);
    const all = await idx.query('', { limit: 100 });
    expect(all.total).toBe(DOCS.length);
    expect(all.hits[0]?.id).toBe('calendar-sync'); // browse: most downloaded first
    expect((await idx.query('', { verified: true })).total).toBe(1);
    const page = await idx.query('', { limit: 2, offset: 2 });
    expect(page.hits.map((h) => h.id)).toEqual(all.hits.slice(2, 4).map((h) => h.id));
    expect(ids(await idx.query('', { sort: 'name', limit: 2 }))).toEqual(['calendar-sync', 'count-vowels']);
  });

  it('answers nothing-found with the closest plugins', async () => {
    const { idx } = open(files);
    const r = await idx.query('vowxlz');
    expect(r.total).toBe(0);
    expect(r.closest?.map((d) => d.id)).toContain('count-vowels');
  });

  it('loads only the manifest-named chunks it needs and caches them', async () => {
    const big: SearchDocInput[] = Array.from({ length: 3000 }, (_, i) =>
      doc(`plugin-${i}`, `Plugin ${i} w${i}x`, `does thing${i % 700} and more${i % 13}`),
    );
    const built = buildSearchIndex(big);
    expect(built.manifest.terms.length).toBeGreaterThan(1);
    for (const [p, t] of built.files) if (p.startsWith('t/')) expect(t.length).toBeLessThan(2 * TERM_CHUNK_BYTES);
    const { idx, loads } = open(built.files);
    expect(ids(await idx.query('w1234x'))[0]).toBe('plugin-1234'); // then its one-edit neighbours
    const first = loads.length;
    expect(loads.filter((p) => p.startsWith('t/'))).toHaveLength(1);
    await idx.query('w1234x');
    expect(loads.length).toBe(first);
  });

  it('caps long posting lists: a capped word ranks but does not filter', async () => {
    const many: SearchDocInput[] = Array.from({ length: 12_000 }, (_, i) =>
      doc(`p-${i}`, `P ${i}`, `${i % 5 === 0 ? 'alpha' : 'beta'} gamma${i === 2401 || i === 2405 ? ' rare' : ''}`, {
        downloads: i === 2405 ? 1 : 0, // first doc number: among the capped list's kept postings
      }),
    );
    // 'beta' is in 4/5 of docs, over the common share: not indexed; 'alpha' (2,400 docs) is indexed and capped.
    const built = buildSearchIndex(many);
    expect(built.manifest.common).toEqual(expect.arrayContaining(['beta', 'gamma']));
    const { idx } = open(built.files);
    expect((await idx.query('beta')).total).toBe(many.length); // only common words: a browse
    expect((await idx.query('alpha')).total).toBe(POSTING_CAP);
    // p-2401 has no 'alpha' and p-2405 has: the capped word ranks p-2405 first but keeps p-2401.
    expect(ids(await idx.query('alpha rare'))).toEqual(['p-2405', 'p-2401']);
  });

  it('a page of a common word is the same slice of the whole ranking, with ties in doc order', async () => {
    // 400 docs match "calendar" with scores that tie in groups: a page must be the full sort's slice.
    const many: SearchDocInput[] = Array.from({ length: 400 }, (_, i) =>
      doc(`cal-${i}`, `Cal ${i}`, `calendar ${i % 3 === 0 ? 'calendar planner' : i % 3 === 1 ? 'notes' : 'lunar'}`, {
        downloads: (i * 37) % 101,
      }),
    );
    const { idx } = open(buildSearchIndex(many).files);
    for (const sort of ['relevance', 'downloads', 'name'] as const) {
      const all = await idx.query('calendar', { limit: 1000, sort });
      expect(all.total).toBe(400);
      for (const [offset, limit] of [
        [0, 10],
        [7, 13],
        [190, 20],
        [395, 10],
      ] as const) {
        const page = await idx.query('calendar', { offset, limit, sort });
        expect(page.total).toBe(400);
        if (sort === 'relevance') expect(page.hits).toEqual(all.hits.slice(offset, offset + limit));
        // Other sorts order the best 200 (or offset + limit) by relevance: the page's docs are among them.
        else {
          const pool = new Set(
            all.hits.length
              ? (await idx.query('calendar', { limit: 1000 })).hits
                  .map((h) => h.id)
                  .slice(0, Math.max(200, offset + limit))
              : [],
          );
          expect(page.hits.length).toBe(
            Math.min(limit, Math.max(0, Math.min(400, Math.max(200, offset + limit)) - offset)),
          );
          for (const h of page.hits) expect(pool.has(h.id)).toBe(true);
        }
      }
    }
  });
  it('onPartial shows the best hits as their doc chunks arrive, in rank order, and not when all are loaded', async () => {
    // 400 docs over 7 doc chunks; each chunk's load waits until the test lets it through.
    const many: SearchDocInput[] = Array.from({ length: 400 }, (_, i) =>
      doc(`cal-${i}`, `Cal ${i}`, i % 5 === 0 ? 'calendar calendar planner' : 'calendar notes', {
        downloads: (i * 37) % 101,
      }),
    );
    const files = buildSearchIndex(many).files;
    const whole = await open(files).idx.query('calendar', { limit: 24 });
    const held = new Map<string, () => void>();
    // A synchronous hash: a chunk let through is in by the next timer tick (microtasks only), on any machine.
    const idx = openSearchIndex(
      files.get(MANIFEST_PATH) as string,
      async (p) => {
        if (p.startsWith('d/')) await new Promise<void>((go) => held.set(p, go));
        return files.get(p) as string;
      },
      { sha256: sha256HexSync },
    );
    const partials: string[][] = [];
    const answer = idx.query('calendar', { limit: 24, onPartial: (r) => partials.push(ids(r)) });
    const until = async (what: () => boolean) => {
      while (!what()) await new Promise((ok) => setTimeout(ok, 1));
    };
    await until(() => held.size > 1);
    const chunks = [...held.keys()];
    // Let the chunks through from the last requested to the first: the first holds the top hit, so nothing
    // can be shown until it is in, and then every leading hit whose chunk is in shows at once.
    for (const p of chunks.slice(1).reverse()) held.get(p)?.();
    await new Promise((ok) => setTimeout(ok, 1));
    expect(partials).toEqual([]);
    held.get(chunks[0] as string)?.();
    const final = await answer;
    expect(ids(final)).toEqual(ids(whole));
    // Every chunk but the first was in before it: its arrival completes the page, so no partial is reported.
    expect(partials).toEqual([]);

    // In request order instead: each arrival that extends the leading run reports it.
    const held2 = new Map<string, () => void>();
    const idx2 = openSearchIndex(files.get(MANIFEST_PATH) as string, async (p) => {
      if (p.startsWith('d/')) await new Promise<void>((go) => held2.set(p, go));
      return files.get(p) as string;
    });
    const partials2: Array<{ total: number; ids: string[] }> = [];
    const answer2 = idx2.query('calendar', {
      limit: 24,
      onPartial: (r) => partials2.push({ total: r.total, ids: ids(r) }),
    });
    await until(() => held2.size > 1);
    const order = [...held2.keys()];
    held2.get(order[0] as string)?.();
    await until(() => partials2.length === 1);
    const top = partials2[0] as { total: number; ids: string[] };
    expect(top.total).toBe(whole.total);
    expect(top.ids).toEqual(ids(whole).slice(0, top.ids.length));
    expect(top.ids.length).toBeLessThan(24);
    for (const p of order.slice(1)) held2.get(p)?.();
    expect(ids(await answer2)).toEqual(ids(whole));
    for (const [i, p] of partials2.entries()) {
      expect(p.ids).toEqual(ids(whole).slice(0, p.ids.length));
      if (i > 0) expect(p.ids.length).toBeGreaterThan((partials2[i - 1] as { ids: string[] }).ids.length);
    }
    // Warm: the same query again loads nothing and reports no partial.
    const again: string[][] = [];
    expect(ids(await idx2.query('calendar', { limit: 24, onPartial: (r) => again.push(ids(r)) }))).toEqual(ids(whole));
    expect(again).toEqual([]);
  });

  it('an update gives the same answers as a rebuild of the same docs', async () => {
    const { manifest } = buildSearchIndex(DOCS);
    const edited = doc('greet', 'Greeter', 'Says hello and goodbye', { verified: false, category: 'fun' });
    const added = doc('json-format', 'JSON Format', 'Pretty prints JSON', { downloads: 5 });
    const store = new Map(files);
    const up = await updateSearchIndex(manifest, async (p) => store.get(p) as string, [edited, added], ['word-stats']);
    for (const [p, t] of up.files) store.set(p, t);
    expect(up.files.size).toBeLessThan(files.size + 4);
    const after = [...DOCS.filter((d) => d.id !== 'word-stats' && d.id !== 'greet'), edited, added];
    const rebuilt = buildSearchIndex(after);
    const a = open(store, up.manifest).idx;
    const b = open(rebuilt.files).idx;
    for (const q of ['', 'greet', 'goodbye', 'hello', 'word', 'json', 'pretty', '企业', 'markdwn', 'cal', 'vowels']) {
      const ra = await a.query(q, { limit: 50 });
      const rb = await b.query(q, { limit: 50 });
      const norm = (r: typeof ra) => r.hits.map((h) => `${h.id}:${h.score}`).sort();
      expect({ q, total: ra.total, hits: norm(ra) }).toEqual({ q, total: rb.total, hits: norm(rb) });
    }
    expect(up.manifest.docs).toBe(after.length);
    expect(up.manifest.facets).toEqual(rebuilt.manifest.facets);
  });

  it('writes a doc chunk one doc per line, and reads other layouts of the same JSON alike', async () => {
    const { manifest } = buildSearchIndex(DOCS);
    const [dPath] = [...files.keys()].filter((p) => p.startsWith('d/'));
    const text = files.get(dPath as string) as string;
    const chunk = JSON.parse(text) as { docs: unknown[] };
    // One JSON document, ASCII (the Chinese text as \u escapes), each doc on a line of its own between a fixed
    // head and tail.
    expect(chunk.docs.some((d) => JSON.stringify(d).includes('企业'))).toBe(true);
    expect(/^[\x20-\x7e\n]*$/.test(text)).toBe(true);
    const docLines = text.split('\n');
    expect([docLines[0], ...docLines.slice(-2)]).toEqual(['{"v":1,"docs":[', ']}', '']);
    const rows = docLines.slice(1, -2);
    expect(rows.map((l, i) => l.endsWith(',') === i < rows.length - 1)).not.toContain(false);
    expect(rows.map((l) => JSON.parse(l.replace(/,$/, '')))).toEqual(chunk.docs);
    // The same chunk as one line (as earlier publishers wrote it) and pretty-printed: the same answers.
    // Each also loaded as bytes (only the docs read are decoded), and with the Chinese as raw UTF-8, not escapes.
    const queries = ['', 'vowels', 'greet', 'calendar', '企业', 'markdwn'];
    const answers = async (t: string, asBytes = false) => {
      const sha = sha256HexSync(t);
      const withChunk = new Map(files);
      withChunk.set(`d/${sha.slice(0, 20)}.json`, t);
      const { idx } = open(withChunk, { ...manifest, doc_chunks: [sha] }, asBytes);
      return Promise.all(queries.map((q) => idx.query(q, { limit: 50 })));
    };
    const expected = await answers(text);
    expect(expected[1]?.hits.map((h) => h.id)).toEqual(['count-vowels']);
    const raw = text.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    expect(raw).toContain('企业');
    for (const layout of [text, raw, `${JSON.stringify(chunk)}\n`, `${JSON.stringify(chunk, null, 1)}\n`]) {
      expect(await answers(layout)).toEqual(expected);
      expect(await answers(layout, true)).toEqual(expected);
    }
    // A doc line that is not JSON: that doc is refused when read (E_SCHEMA), the chunk's other docs still answer.
    const lines = text.split('\n');
    const g = lines.findIndex((l) => l.includes('"id":"greet"'));
    lines[g] = lines[g]?.replace('"id":"greet"', '"id":"greet"}') as string;
    const broken = lines.join('\n');
    const sha = sha256HexSync(broken);
    const withBroken = new Map(files);
    withBroken.set(`d/${sha.slice(0, 20)}.json`, broken);
    for (const asBytes of [false, true]) {
      const { idx } = open(withBroken, { ...manifest, doc_chunks: [sha] }, asBytes);
      expect(ids(await idx.query('vowels'))).toEqual(['count-vowels']);
      expect(await codeOf(idx.query('greet'))).toBe('E_SCHEMA');
    }
    // The layout with one doc broken over two lines: JSON as a whole, but its lines are not its docs. Refused
    // (E_SCHEMA) rather than read with the lines and the docs out of step.
    const split = text.replace('"id":"greet",', '"id":"greet",\n');
    const splitSha = sha256HexSync(split);
    const withSplit = new Map(files);
    withSplit.set(`d/${splitSha.slice(0, 20)}.json`, split);
    expect(JSON.parse(split).docs).toEqual(chunk.docs);
    for (const asBytes of [false, true]) {
      const { idx: splitIdx } = open(withSplit, { ...manifest, doc_chunks: [splitSha] }, asBytes);
      expect(await codeOf(splitIdx.query('greet'))).toBe('E_SCHEMA');
    }
  });

  it("reads a doc chunk through the caller's docLines as openDocChunk reads it, and refuses a line that is not JSON", async () => {
    const built = buildSearchIndex(DOCS);
    const manifest = built.files.get(MANIFEST_PATH) as string;
    const load = async (p: string) => built.files.get(p) as string;
    const linesOf = (text: string, broken = false) => {
      const pairs = docLineOffsets(utf8.encode(text)) as Int32Array;
      expect(docLinesTile(pairs, utf8.encode(text).length)).toBe(true);
      return {
        length: pairs.length / 2,
        line: (i: number) => (broken ? '{"id":' : text.slice(pairs[2 * i], pairs[2 * i + 1])),
      };
    };
    const whole = openSearchIndex(manifest, load);
    const byLine = openSearchIndex(manifest, load, { docLines: (p) => linesOf(built.files.get(p) as string) });
    for (const q of ['vowels', 'greet', 'wecom', 'calendar'])
      expect((await byLine.query(q)).hits).toEqual((await whole.query(q)).hits);
    const broken = openSearchIndex(manifest, load, { docLines: (p) => linesOf(built.files.get(p) as string, true) });
    expect(await codeOf(broken.query('vowels'))).toBe('E_SCHEMA');
  });

  it('reads a checked manifest as JSON.parse does, whatever its layout', () => {
    // parseCheckedManifest reads the two digest lists that end a manifest in place when it is laid out as the
    // publisher writes it; any other layout is parsed whole. Either way the same manifest comes out.
    const many = Array.from({ length: 200 }, (_, i) => doc(`p-${i}`, `Plugin ${i}`, `Does thing ${i}`));
    const text = buildSearchIndex([...DOCS, ...many]).files.get(MANIFEST_PATH) as string;
    const m = JSON.parse(text) as SearchManifest;
    expect(m.doc_chunks.length).toBeGreaterThan(1);
    expect(m.id_buckets.length).toBeGreaterThan(0);
    const asParsed = (t: string) => ({ ...JSON.parse(t), facets: { ...JSON.parse(t).facets } });
    const { doc_chunks, id_buckets, ...rest } = m;
    const layouts = [
      text,
      text.trimEnd(),
      JSON.stringify(m, null, 1),
      JSON.stringify({ ...rest, id_buckets, doc_chunks }), // the lists in the other order
      JSON.stringify({ ...m, id_buckets: [] }),
      JSON.stringify({ ...m, doc_chunks: [], id_buckets: [] }),
      // A category named like a list, with a value of the same shape: the real lists are the last members.
      JSON.stringify({ ...m, facets: { ...m.facets, doc_chunks: [1, 0] } }),
      JSON.stringify({ ...rest, facets: { ...m.facets, id_buckets: [1, 1] }, doc_chunks, id_buckets }),
      // Not a digest row's length: parsed whole.
      JSON.stringify({ ...m, id_buckets: [...id_buckets, 'abc'] }),
    ];
    for (const t of layouts) expect(parseCheckedManifest(t)).toEqual(asParsed(t));
    expect(parseCheckedManifest(text).doc_chunks).toEqual(doc_chunks);
  });

  it("reads a checked manifest's rows in place as its arrays hold them", () => {
    // The publisher's layout is read row by row from the text (manifestRows); first terms that need JSON's
    // escapes (a quote, a backslash before a quote, non-ASCII written as \u) come out as JSON.parse reads them.
    const many = Array.from({ length: 300 }, (_, i) =>
      doc(`p-${i}`, `Plugin ${i} ${'word'.repeat(i % 7)}`, `Does ${i}`),
    );
    const { manifest } = buildSearchIndex([...DOCS, ...many]);
    const shas = manifest.terms.map((t) => t[1]);
    const odd = ['', 'a"b', 'c\\', 'd\\"e', 'f\\\\', '中文', 'plain'];
    const terms = odd.map((first, i) => [first, shas[i % shas.length]] as [string, string]);
    for (const m of [manifest, { ...manifest, terms }]) {
      const text = serialize(m);
      const read = parseCheckedManifest(text);
      expect(read).toEqual(JSON.parse(text));
      const rows = manifestRows(parseCheckedManifest(text));
      expect(Object.getOwnPropertyDescriptor(read, 'terms')?.get).toBeDefined(); // read in place, made on demand
      expect(Array.from({ length: rows.termChunks }, (_, c) => [rows.termFirst(c), rows.termSha(c)])).toEqual(m.terms);
      expect(Array.from({ length: rows.docChunks }, (_, k) => rows.docChunkSha(k))).toEqual(m.doc_chunks);
    }
    // A row out of the layout (a digest one character short) is parsed whole, the same manifest either way.
    const short = serialize(manifest).replace(/"([0-9a-f]{64})"\]\]/, (_, sha: string) => `"${sha.slice(1)}"]]`);
    expect(short).not.toBe(serialize(manifest));
    expect(parseCheckedManifest(short)).toEqual({ ...JSON.parse(short), facets: { ...manifest.facets } });
    expect(Object.getOwnPropertyDescriptor(parseCheckedManifest(short), 'terms')?.get).toBeUndefined();
  });

  it('refuses a chunk that does not match its hash (E_INDEX_HASH) and a malformed one (E_SCHEMA)', async () => {
    const { manifest } = buildSearchIndex(DOCS);
    const tampered = new Map(files);
    const [tPath] = [...files.keys()].filter((p) => p.startsWith('t/'));
    tampered.set(tPath as string, (files.get(tPath as string) as string).replace('vowels', 'vowelz'));
    expect(await codeOf(open(tampered, manifest).idx.query('vowels'))).toBe('E_INDEX_HASH');
    expect(await codeOf(open(tampered, manifest, true).idx.query('vowels'))).toBe('E_INDEX_HASH');
    // A malformed chunk whose hash the manifest names (as a publisher bug would make it): E_SCHEMA.
    const junk = '{"v":1,"terms":[["zzz",-1,[]]]}\n';
    const m2: SearchManifest = { ...manifest, terms: [['', sha256HexSync(junk)]] };
    const withJunk = new Map(files);
    withJunk.set(`t/${sha256HexSync(junk).slice(0, 20)}.json`, junk);
    expect(await codeOf(open(withJunk, m2).idx.query('vowels'))).toBe('E_SCHEMA');
    // A doc chunk with one malformed doc (a terminal escape in its text): the doc is refused when a query reads it,
    // and the chunk's other docs still answer (each doc is checked as it is read).
    const [dPath] = [...files.keys()].filter((p) => p.startsWith('d/'));
    const chunk = JSON.parse(files.get(dPath as string) as string) as { v: 1; docs: Array<Record<string, unknown>> };
    const g = chunk.docs.findIndex((d) => d?.id === 'greet');
    chunk.docs[g] = { ...chunk.docs[g], short: 'hello \u001b[2J' };
    const badChunk = `${JSON.stringify(chunk)}\n`;
    const m3: SearchManifest = { ...manifest, doc_chunks: [sha256HexSync(badChunk)] };
    const withBadDoc = new Map(files);
    withBadDoc.set(`d/${sha256HexSync(badChunk).slice(0, 20)}.json`, badChunk);
    expect(ids(await open(withBadDoc, m3).idx.query('vowels'))).toEqual(['count-vowels']);
    expect(await codeOf(open(withBadDoc, m3).idx.query('greet'))).toBe('E_SCHEMA');
    expect(await codeOf(open(withBadDoc, m3).idx.query(''))).toBe('E_SCHEMA'); // a browse reads every doc
    expect(() => openSearchIndex('{"v":2}', async () => '')).toThrow(/format 2/);
    expect(() => openSearchIndex('not json', async () => '')).toThrow(/not JSON/);
    // The update refuses a tampered previous file too.
    expect(
      await codeOf(
        updateSearchIndex(manifest, async (p) => tampered.get(p) as string, [DOCS[0] as SearchDocInput], []),
      ),
    ).toBe('E_INDEX_HASH');
  });
});
