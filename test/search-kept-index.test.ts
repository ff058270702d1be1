// A monolithic source's search index, kept by the refresh (client/src/search/built-search.ts): a search answers
// from it, ranks as the in-memory build does, and ignores anything in the home that is not what the refresh wrote.
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WharfClient } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCachedIndex } from '../client/src/index/index-cache.js';
import { keepBuiltSearch } from '../client/src/search/built-search.js';
import { searchCatalog } from '../client/src/search/search.js';
import { demoClient, type ServedDemo, serveDemo, tempDir } from './helpers/demo.js';

const QUERIES = ['vowels', 'vow', 'vowle', 'count words', 'greet', '统计', '元音', 'text'];

describe('the search index a refresh keeps for a monolithic source', () => {
  let demo: ServedDemo;
  beforeAll(async () => {
    demo = await serveDemo();
  });
  afterAll(() => demo?.close());

  const setup = async () => {
    const home = tempDir('kept-search');
    const c = await demoClient(demo, home);
    const dir = join(home, 'cache', 'index', 'search-built', 'local');
    return { home, c, dir };
  };
  const ids = async (c: WharfClient, q: string) => (await c.search(q)).map((h) => h.plugin_id);
  const inMemory = async (c: WharfClient, q: string) =>
    (await searchCatalog(await c.catalog(), q)).map((h) => h.plugin_id);
  /** Keep, for the same snapshot, an index without greet (over a record that does not fit: rebuilt whole). */
  const keepWithoutGreet = (c: WharfClient, dir: string) => {
    const snap = readCachedIndex(c.home, 'local') as NonNullable<ReturnType<typeof readCachedIndex>>;
    writeFileSync(join(dir, 'meta.json'), '{}');
    keepBuiltSearch(c.home, {
      ...snap,
      registry: { ...snap.registry, plugins: snap.registry.plugins.filter((p) => p.plugin_id !== 'greet') },
    });
  };

  it('is written by the refresh, and a search answers from it as the in-memory build does', async () => {
    const { c, dir } = await setup();
    expect(readdirSync(dir).sort()).toEqual(expect.arrayContaining(['manifest.json', 'meta.json']));
    for (const q of QUERIES) expect(await ids(c, q), q).toEqual(await inMemory(c, q));
    // The search reads the kept files: kept for the same snapshot without greet, greet is not found.
    keepWithoutGreet(c, dir);
    expect(await ids(c, 'greet')).not.toContain('greet');
  });

  it('ignores a file changed since it was kept, a record of another snapshot or a malformed one', async () => {
    const { c, dir } = await setup();
    const snap = readCachedIndex(c.home, 'local') as NonNullable<ReturnType<typeof readCachedIndex>>;
    const hide = () => {
      keepWithoutGreet(c, dir);
      return expect(ids(c, 'greet')).resolves.not.toContain('greet');
    };
    const cacheBefore = readFileSync(join(c.home.indexCache, 'local.registry.json'));
    // A chunk written over (its stamp moves): the search builds in memory and finds greet again.
    await hide();
    // (a query checks the files it reads: the term chunks here, which every query reads)
    for (const chunk of readdirSync(dir).filter((n) => n.startsWith('t-'))) appendFileSync(join(dir, chunk), ' ');
    expect(await ids(c, 'greet')).toContain('greet');
    // The record of another snapshot.
    await hide();
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ ...meta, sha256: '0'.repeat(64) }));
    expect(await ids(c, 'greet')).toContain('greet');
    // Garbage, and a file name outside the index's own.
    await hide();
    writeFileSync(
      join(dir, 'meta.json'),
      JSON.stringify({ ...meta, files: { ...meta.files, '../x.json': meta.files['manifest.json'] } }),
    );
    expect(await ids(c, 'greet')).toContain('greet');
    writeFileSync(join(dir, 'meta.json'), 'not json');
    expect(await ids(c, 'greet')).toContain('greet');
    // The next refresh writes it whole again; the verified index cache itself was never touched by any of it.
    await c.refresh();
    expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).sha256).toBe(snap.sha256);
    expect(readFileSync(join(c.home.indexCache, 'local.registry.json'))).toEqual(cacheBefore);
    for (const q of QUERIES) expect(await ids(c, q), q).toEqual(await inMemory(c, q));
  });

  it('a link planted in its place is never followed: the refresh writes nothing through it and search still answers', async () => {
    const home = tempDir('kept-search-link');
    const elsewhere = tempDir('kept-search-elsewhere');
    const c = await demoClient(demo, home);
    const built = join(home, 'cache', 'index', 'search-built');
    rmSync(built, { recursive: true });
    symlinkSync(elsewhere, built);
    await c.refresh();
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(await ids(c, 'vowels')).toEqual(await inMemory(c, 'vowels'));
  });

  it('answers without reading the verified index it was built from; listing everything still reads it', async () => {
    const { c, home } = await setup();
    const body = join(home, 'cache', 'index', 'local.registry.json');
    const want = await ids(c, 'vowels');
    // The verified index's file overwritten (the cache is then no cache): a query still answers from the kept index,
    // and a listing of everything, which needs the index itself, has nothing to list offline.
    const offline = new WharfClient({ home, offline: true });
    writeFileSync(body, 'not the verified index');
    expect(await ids(offline, 'vowels')).toEqual(want);
    expect(await ids(offline, '')).toEqual([]);
  });

  it('goes with its source on `source remove`', async () => {
    const { c, dir } = await setup();
    expect(existsSync(dir)).toBe(true);
    c.removeSource('local');
    expect(existsSync(dir)).toBe(false);
  });
});
