// Chinese on the command line: `wharf search` reads the *_zh fields and splits CJK text into bigrams, with the
// same engine as the site (@wharf/schemas search-index), so 元音 finds count-vowels (name_zh 元音计数) and
// 微信 finds 企业微信集成, and a query ranks the same in the CLI and on the site.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Registry, readRegistry } from '@wharf/schemas';
import { openSearchIndex } from '@wharf/schemas/search-index';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchIndexFiles } from '../../site/src/lib/search-index-files.js';
import { runCli, type ServedDemo, serveDemo, tempDir, WHARF } from '../../test/helpers/demo.js';
import { fixtureRegistry } from '../../test/site/fixture-registry.js';
import { Catalog } from '../src/index/catalog.js';
import { searchCatalog } from '../src/search/search.js';

const REPO = join(import.meta.dirname, '..', '..');
const WXAUTO_REGISTRY = '/work/shared/data/wxauto/registry.json';

function nativeCatalog(registry: Registry): Catalog {
  const snap = { alias: 'official', registry, targetsVersion: 1, mirror: 'https://x', fetchedAt: '', sha256: '' };
  return new Catalog(
    { sources_version: 1, sources: [{ alias: 'official', type: 'tuf', mirrors: ['https://x'], priority: 10 }] },
    [{ ...snap, stale: false }],
  );
}
const ids = async (c: Catalog, q: string) => (await searchCatalog(c, q)).map((h) => h.plugin_id);

describe('CLI search in Chinese', () => {
  const site = fixtureRegistry(REPO);
  const catalog = nativeCatalog(site);
  const files = searchIndexFiles(site.plugins);
  const engine = openSearchIndex(files.get('manifest.json') as string, async (path) => files.get(path) ?? '');

  it('finds a plugin by its name_zh and by a word inside a Chinese name', async () => {
    expect(await ids(catalog, '元音')).toContain('count-vowels');
    expect(await ids(catalog, '元音计数')).toEqual(['count-vowels']);
    expect(await ids(catalog, '元')).toContain('count-vowels'); // one character: by prefix
    const wx = nativeCatalog(readRegistry(JSON.parse(readFileSync(WXAUTO_REGISTRY, 'utf8'))));
    expect(await ids(wx, '微信')).toEqual(['wechat-work-integration']);
    expect(await ids(wx, '企业微信')).toEqual(['wechat-work-integration']);
  });

  it('ranks CJK and Latin queries, typos and prefixes as the site does over the same catalog', async () => {
    const queries = [
      '元音',
      '元',
      '问候',
      '春节快乐',
      '统计',
      'vowel',
      'vow',
      'vowle',
      'count vowels',
      'greet',
      'text',
    ];
    for (const q of queries) {
      const site = (await engine.query(q, { limit: 1000 })).hits.map((h) => h.id);
      expect(await ids(catalog, q), q).toEqual(site);
    }
  });

  it('still ANDs terms and ignores stop words', async () => {
    expect(await ids(catalog, 'count greeting')).toEqual([]);
    expect(await ids(catalog, 'the vowels')).toContain('count-vowels');
  });
});

describe('wharf search through the real binary', () => {
  let demo: ServedDemo;
  const home = tempDir('search-cjk');
  beforeAll(async () => {
    demo = await serveDemo(['count-vowels', 'greet']);
    const r = await runCli(WHARF, [
      '--home',
      home,
      'source',
      'add',
      'local',
      demo.server.url,
      '--root-sha256',
      demo.reg.rootSha256,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect((await runCli(WHARF, ['--home', home, 'refresh'])).code).toBe(0);
  });
  afterAll(() => demo?.close());

  it('`wharf search 元音` finds count-vowels', async () => {
    const r = await runCli(WHARF, ['--home', home, '--json', 'search', '元音']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).map((h: { plugin_id: string }) => h.plugin_id)).toEqual(['count-vowels']);
  });
});
