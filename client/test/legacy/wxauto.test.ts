// WXAUTO-MGT registries as legacy sources, on the real fixture data served by a real HTTP server on 127.0.0.1,
// with a real count-vowels.wasm as the release asset, installed with --allow-unpinned and run under Extism.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isWharfError, type RegistryPlugin, readRegistry } from '@wharf/schemas';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempLeftovers, userState } from '../../../test/helpers/snapshot-dir.js';
import { WharfClient } from '../../src/client.js';
import { Catalog } from '../../src/index/catalog.js';
import { pickRelease, versionFromTag } from '../../src/legacy/github-releases.js';
import { catalogStats, compareWxauto, searchableText } from '../../src/legacy/wxauto-search.js';
import {
  bytesRoute,
  COUNT_VOWELS_WASM,
  EXTERNAL_IPV4,
  githubRelease,
  HAVE_DATA,
  jsonRoute,
  type Lab,
  readWxauto,
  startLab,
  tempHome,
  WXAUTO_REGISTRY,
  wharf,
} from './wxauto-lab.js';

const DIFY_RELEASES = '/repos/zhangsan/wxauto-dify-advanced/releases';
const WASM = existsSync(COUNT_VOWELS_WASM) ? new Uint8Array(readFileSync(COUNT_VOWELS_WASM)) : new Uint8Array();
const WASM_SHA = createHash('sha256').update(WASM).digest('hex');

/** Temp files anywhere under home, and anything at all left in home/tmp. */
function leftovers(home: string): string[] {
  return [...tempLeftovers(home), ...readdirSync(join(home, 'tmp'))];
}

async function refusal(p: Promise<unknown>, code: string): Promise<void> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(isWharfError(e) ? e.code : e).toBe(code);
}

/** WXAUTO-MGT's search_plugins(), written again from its Python, as the reference the client must agree with. */
function referenceSearch(doc: ReturnType<typeof readWxauto>, query: string): string[] {
  const q = query.toLowerCase();
  type P = {
    plugin_id: string;
    name: string;
    short_description: string;
    description: string;
    tags: string[];
    status: string;
    featured: boolean;
    verified: boolean;
    stats: { downloads: number; rating: number };
  };
  return (doc.plugins as unknown as P[])
    .filter(
      (p) =>
        p.status === 'active' &&
        (!q || `${p.name} ${p.short_description} ${p.description} ${p.tags.join(' ')}`.toLowerCase().includes(q)),
    )
    .sort(
      (a, b) =>
        +b.featured - +a.featured ||
        +b.verified - +a.verified ||
        b.stats.downloads - a.stats.downloads ||
        b.stats.rating - a.stats.rating,
    )
    .map((p) => p.plugin_id.replace(/_/g, '-'));
}

describe.skipIf(!HAVE_DATA)('legacy WXAUTO-MGT source (real fixture data)', () => {
  let lab: Lab;
  let home: { dir: string; cleanup(): void };
  const realBytes = HAVE_DATA ? readFileSync(WXAUTO_REGISTRY) : Buffer.alloc(0);
  const api = () => `${lab.url}/api`;

  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(async () => {
    await lab.close();
  });
  beforeEach(() => {
    home = tempHome();
    lab.routes.clear();
    lab.hits.length = 0;
    lab.routes.set('/wxauto/registry.json', bytesRoute(realBytes, 'application/json'));
    lab.routes.set('/assets/v2.1.0/plugin.wasm', bytesRoute(WASM));
    lab.routes.set('/assets/v2.1.0/plugin.wasm.minisig', bytesRoute('untrusted comment: x\nRUQ=\n'));
    lab.routes.set('/assets/2.0.5/plugin.wasm', bytesRoute(WASM));
    const base = lab.url;
    lab.routes.set(
      `/api${DIFY_RELEASES}`,
      jsonRoute([
        githubRelease(base, 'v9.0.0', [{ name: 'plugin.wasm', path: '/nope', size: 1 }], { draft: true }),
        githubRelease(base, 'v3.0.0-beta.1', [{ name: 'plugin.wasm', path: '/nope', size: 1 }], { prerelease: true }),
        githubRelease(base, 'nightly', [{ name: 'plugin.wasm', path: '/nope', size: 1 }]),
        githubRelease(base, 'v2.1.0', [
          { name: 'plugin.wasm', path: '/assets/v2.1.0/plugin.wasm', size: WASM.byteLength },
          { name: 'plugin.wasm.minisig', path: '/assets/v2.1.0/plugin.wasm.minisig', size: 24 },
          { name: 'source.zip', path: '/nope', size: 1 },
        ]),
        githubRelease(base, '2.0.5', [
          { name: 'plugin.wasm', path: '/assets/2.0.5/plugin.wasm', size: WASM.byteLength },
        ]),
      ]),
    );
    process.env.WHARF_GITHUB_API_URL = api();
  });
  afterEach(() => {
    home.cleanup();
    delete process.env.WHARF_GITHUB_API_URL;
  });

  const client = async (registryPath = '/wxauto/registry.json', mirrors: string[] = []) => {
    const c = new WharfClient({ home: home.dir });
    await c.addSource({ alias: 'wx', url: `${lab.url}${registryPath}`, mirrors, type: 'wxauto' });
    return c;
  };

  it('adds without a root, refreshes through the deadline fetch and caches the mapping labelled unverified', async () => {
    const c = await client();
    const src = c.sources().sources[0];
    expect(src).toMatchObject({ alias: 'wx', type: 'wxauto', mirrors: [`${lab.url}/wxauto/registry.json`] });
    expect(src?.root_sha256).toBeUndefined();
    expect(existsSync(join(home.dir, 'trust', 'wx'))).toBe(false);
    const r = await c.refresh();
    expect(r.failed).toEqual([]);
    expect(r.refreshed).toEqual([
      { alias: 'wx', mirror: `${lab.url}/wxauto/registry.json`, targetsVersion: 0, plugins: 3, unverified: true },
    ]);
    const meta = JSON.parse(readFileSync(join(home.dir, 'cache', 'index', 'wx.meta.json'), 'utf8'));
    expect(meta.legacy).toMatchObject({
      type: 'wxauto',
      unverified: true,
      source_sha256: createHash('sha256').update(realBytes).digest('hex'),
    });
    expect(meta.legacy.permissions['wechat-work-integration']).toContain('message.send');
    expect(meta.targetsVersion).toBe(0);
    expect(leftovers(home.dir)).toEqual([]);
  });

  it('refuses --root-sha256 for wxauto and asks for no root', async () => {
    const c = new WharfClient({ home: home.dir });
    await refusal(
      c.addSource({ alias: 'wx', url: `${lab.url}/wxauto/registry.json`, type: 'wxauto', rootSha256: 'a'.repeat(64) }),
      'E_USAGE',
    );
    expect(existsSync(join(home.dir, 'sources.json'))).toBe(false);
  });

  it('search follows WXAUTO-MGT: active only, case-insensitive substring over name/descriptions/tags, its order', async () => {
    const c = await client();
    const doc = readWxauto();
    for (const q of ['', 'AI', 'dify', 'DIFY', 'Chat LLM', 'llm enhanced', '企业', 'API', 'nlp', 'zzz-nothing']) {
      const hits = await c.search(q);
      expect(
        hits.map((h) => h.plugin_id),
        q,
      ).toEqual(referenceSearch(doc, q));
      for (const h of hits) expect(h).toMatchObject({ source: 'wx', unverified: true });
    }
    expect((await c.search('')).map((h) => h.plugin_id)).toEqual([
      'advanced-dify-platform',
      'smart-keyword-matcher',
      'wechat-work-integration',
    ]);
    // Substring, not word or prefix search: "ynam" is inside nothing; "eyword" is inside "keyword".
    expect(await c.search('ynamic')).toEqual([]);
    expect((await c.search('EYWORD')).map((h) => h.plugin_id)).toEqual(['smart-keyword-matcher']);
    expect((await c.search('', { category: 'integration' })).map((h) => h.plugin_id)).toEqual([
      'wechat-work-integration',
    ]);
    expect((await c.search('', { tag: 'ai' })).map((h) => h.plugin_id)).toEqual([
      'advanced-dify-platform',
      'smart-keyword-matcher',
    ]);
  });

  it('drops non-active entries from search and featured/verified counts, and orders by downloads then rating', async () => {
    const doc = readWxauto();
    const [dify, keyword, wechat] = doc.plugins as Array<Record<string, unknown>>;
    Object.assign(dify as object, { status: 'deprecated' });
    Object.assign(keyword as object, { verified: false, stats: { downloads: 432, rating: 4.9 } });
    Object.assign(wechat as object, { verified: false, stats: { downloads: 432, rating: 4.3 } });
    lab.routes.set('/derived/registry.json', jsonRoute(doc));
    const c = await client('/derived/registry.json');
    expect((await c.search('')).map((h) => h.plugin_id)).toEqual(['smart-keyword-matcher', 'wechat-work-integration']);
    expect((await c.search('')).map((h) => h.plugin_id)).toEqual(referenceSearch(doc, ''));
    const s = catalogStats(await c.catalog());
    // get_plugin_statistics(): totals over all entries, featured/verified over active ones only.
    expect(s).toMatchObject({ total_plugins: 3, featured_plugins: 0, verified_plugins: 0, total_downloads: 2114 });
    // The deprecated one is still shown by info, as get_plugin_details() does.
    expect((await c.info('advanced-dify-platform')).plugin.status).toBe('deprecated');
  });

  it('stats on the real data equal the metadata block WXAUTO-MGT wrote into the registry', async () => {
    const c = await client();
    const meta = readWxauto().metadata as Record<string, number>;
    const s = catalogStats(await c.catalog());
    expect(s).toMatchObject({
      total_plugins: meta.total_plugins,
      featured_plugins: meta.featured_plugins,
      verified_plugins: meta.verified_plugins,
      total_downloads: meta.total_downloads,
      category_stats: { ai_platform: 1, automation: 1, integration: 1 },
    });
    expect(s.sources).toEqual([
      expect.objectContaining({ alias: 'wx', type: 'wxauto', plugins: 3, unverified: true, stale: false }),
    ]);
  });

  it('stats count a signed (native) catalog by the same rules', () => {
    const registry = readRegistry(readWxauto());
    const p0 = registry.plugins[0] as RegistryPlugin;
    registry.plugins.push({
      ...p0,
      plugin_id: 'suspended-one',
      status: 'suspended',
      stats: { downloads: 5, stars: 0 },
    });
    const snap = {
      alias: 'official',
      registry,
      targetsVersion: 7,
      mirror: 'https://x',
      fetchedAt: new Date().toISOString(),
      sha256: '',
      stale: false,
    };
    const cat = new Catalog(
      { sources_version: 1, sources: [{ alias: 'official', type: 'tuf', mirrors: ['https://x'], priority: 10 }] },
      [snap],
    );
    expect(catalogStats(cat)).toEqual({
      total_plugins: 4,
      featured_plugins: 1,
      verified_plugins: 3,
      total_downloads: 2543,
      category_stats: { ai_platform: 2, automation: 1, integration: 1 },
      sources: [
        { alias: 'official', type: 'tuf', plugins: 4, fetched_at: snap.fetchedAt, stale: false, unverified: false },
      ],
    });
  });

  it('info shows the WXAUTO permissions, their Extism mapping and the unsupported ones', async () => {
    const c = await client();
    const dify = await c.info('advanced-dify-platform');
    expect(dify.legacy).toMatchObject({
      type: 'wxauto',
      unverified: true,
      legacy_id: 'advanced_dify_platform',
      permissions: {
        declared: ['network.http', 'network.https', 'config.read', 'config.write', 'message.process'],
        permissions: { allowed_hosts: ['*'], config_keys: ['*'] },
        unsupported: [],
        unknown: [],
      },
    });
    const wechat = await c.info('wechat-work-integration');
    expect(wechat.legacy?.permissions.unsupported.map((u) => u.name)).toEqual(['message.send']);
    expect(wechat.legacy?.permissions.permissions).toMatchObject({ wasi: true, allowed_paths: { './data': '/data' } });
    expect(wechat.legacy?.install).toMatch(/^not installable/);
  });

  it('install without --allow-unpinned refuses with E_UNPINNED before any request, leaving no trace', async () => {
    const c = await client();
    await c.refresh();
    const before = userState(home.dir);
    lab.hits.length = 0;
    await refusal(c.install('advanced-dify-platform'), 'E_UNPINNED');
    expect(lab.hits).toEqual([]);
    expect(userState(home.dir)).toEqual(before);
    expect(leftovers(home.dir)).toEqual([]);
    expect(readdirSync(join(home.dir, 'cache', 'artifacts'))).toEqual([]);
  });

  it('permissions no Extism host grants give E_PERMISSION_UNSUPPORTED (message.send, system.command)', async () => {
    const doc = readWxauto();
    (doc.plugins[0] as Record<string, unknown>).permissions = ['network.https', 'system.command'];
    lab.routes.set('/derived/registry.json', jsonRoute(doc));
    const c = await client('/derived/registry.json');
    await c.refresh();
    const before = userState(home.dir);
    lab.hits.length = 0;
    await refusal(c.install('wechat-work-integration', { allowUnpinned: true }), 'E_PERMISSION_UNSUPPORTED');
    await refusal(c.install('advanced-dify-platform', { allowUnpinned: true }), 'E_PERMISSION_UNSUPPORTED');
    expect((await c.info('advanced-dify-platform')).legacy?.permissions.unsupported).toEqual([
      { name: 'system.command', label: 'Run system commands', label_zh: '系统命令执行' },
    ]);
    expect(lab.hits).toEqual([]);
    expect(userState(home.dir)).toEqual(before);
    expect(leftovers(home.dir)).toEqual([]);
  });

  it('--allow-unpinned resolves the release via releases_url, pins the computed sha256, and the plugin runs', async () => {
    const c = await client();
    const r = await c.install('advanced-dify-platform', { allowUnpinned: true });
    expect(r).toMatchObject({
      id: 'advanced-dify-platform',
      version: '2.1.0',
      sha256: WASM_SHA,
      size: WASM.byteLength,
      status: 'installed',
      fromCache: false,
      url: `${lab.url}/assets/v2.1.0/plugin.wasm`,
    });
    expect(lab.hits).toContain(`/api${DIFY_RELEASES}`);
    expect(lab.accept.get(`/api${DIFY_RELEASES}`)).toBe('application/vnd.github+json');
    expect(lab.hits).not.toContain('/nope');
    const lock = JSON.parse(readFileSync(join(home.dir, 'wharf.lock.json'), 'utf8'));
    expect(lock.plugins['advanced-dify-platform']).toMatchObject({
      source: 'wx',
      version: '2.1.0',
      sha256: WASM_SHA,
      keyid: '',
      index_version: 0,
      exports: [{ name: 'count_vowels' }],
      permissions: { allowed_hosts: ['*'], config_keys: ['*'] },
    });
    const release = JSON.parse(
      readFileSync(
        join(home.dir, 'plugins', 'advanced-dify-platform', `2.1.0-${WASM_SHA.slice(0, 12)}`, 'release.json'),
        'utf8',
      ),
    );
    expect(release.release).toMatchObject({ tag: 'v2.1.0', keyid: '', minisig: 'untrusted comment: x\nRUQ=\n' });
    const out = await c.run('advanced-dify-platform', 'count_vowels', 'Hello World', { config: { api_key: 'k' } });
    expect(JSON.parse(Buffer.from(out).toString('utf8'))).toEqual({ count: 3 });
    expect(await c.verify()).toEqual([{ id: 'advanced-dify-platform', ok: true }]);
    expect(leftovers(home.dir)).toEqual([]);

    // Same bytes again: nothing changes. A lower range is a downgrade, refused with nothing left behind.
    expect((await c.install('advanced-dify-platform', { allowUnpinned: true })).status).toBe('unchanged');
    const before = userState(home.dir);
    await refusal(c.install('advanced-dify-platform@~2.0', { allowUnpinned: true }), 'E_DOWNGRADE');
    expect(userState(home.dir)).toEqual(before);
    expect(leftovers(home.dir)).toEqual([]);
    // Tag "2.0.5" (no v) is accepted too.
    const down = await c.install('advanced-dify-platform@~2.0', { allowUnpinned: true, allowDowngrade: true });
    expect(down).toMatchObject({ version: '2.0.5', previous: '2.1.0' });
    // outdated/update compare with versions.latest, as WXAUTO-MGT's own update check does.
    expect(await c.outdated()).toEqual([
      expect.objectContaining({ id: 'advanced-dify-platform', installed: '2.0.5', latest: '2.1.0', change: 'minor' }),
    ]);
    const up = await c.update(undefined, { allowUnpinned: true });
    expect(up.updated[0]).toMatchObject({ id: 'advanced-dify-platform', version: '2.1.0', previous: '2.0.5' });
    expect(await c.outdated()).toEqual([]);
  });

  it('refuses bytes that differ from the release listing or fail WASM admission, keeping nothing', async () => {
    const c = await client();
    await c.refresh();
    const before = userState(home.dir);
    const artifacts = () => readdirSync(join(home.dir, 'cache', 'artifacts'), { recursive: true });
    // Shorter than the release says.
    lab.routes.set('/assets/v2.1.0/plugin.wasm', bytesRoute(WASM.subarray(0, WASM.byteLength - 1)));
    await refusal(c.install('advanced-dify-platform', { allowUnpinned: true }), 'E_ARTIFACT_HASH');
    // Same length, not WebAssembly: admission still runs on unpinned installs.
    lab.routes.set('/assets/v2.1.0/plugin.wasm', bytesRoute(Buffer.alloc(WASM.byteLength, 0x3c)));
    await refusal(c.install('advanced-dify-platform', { allowUnpinned: true }), 'E_WASM_INVALID');
    // A GitHub asset digest that the bytes don't match.
    const rel = githubRelease(lab.url, 'v2.1.0', [
      { name: 'plugin.wasm', path: '/assets/2.0.5/plugin.wasm', size: WASM.byteLength },
    ]);
    (rel.assets[0] as { digest: string | null }).digest = `sha256:${'0'.repeat(64)}`;
    lab.routes.set(`/api${DIFY_RELEASES}`, jsonRoute([rel]));
    await refusal(c.install('advanced-dify-platform', { allowUnpinned: true }), 'E_ARTIFACT_HASH');
    // No release with a plugin.wasm (the Python zips WXAUTO-MGT ships).
    lab.routes.set(
      `/api${DIFY_RELEASES}`,
      jsonRoute([githubRelease(lab.url, 'v2.1.0', [{ name: 'plugin.zip', path: '/nope', size: 1 }])]),
    );
    await refusal(c.install('advanced-dify-platform', { allowUnpinned: true }), 'E_NO_MATCHING_VERSION');
    expect(userState(home.dir)).toEqual(before);
    expect(leftovers(home.dir)).toEqual([]);
    expect(artifacts().filter((f) => String(f).length > 2)).toEqual([]);
  });

  it.skipIf(!EXTERNAL_IPV4)('refuses an asset whose redirect leaves https for a non-loopback http host', async () => {
    const far = await startLab(EXTERNAL_IPV4);
    try {
      far.routes.set('/plugin.wasm', bytesRoute(WASM));
      lab.routes.set('/assets/v2.1.0/plugin.wasm', (_req, res) => {
        res.writeHead(302, { location: `${far.url}/plugin.wasm` }).end();
      });
      const c = await client();
      await c.refresh();
      const before = userState(home.dir);
      await refusal(c.install('advanced-dify-platform', { allowUnpinned: true }), 'E_HTTP_REDIRECT_BLOCKED');
      expect(userState(home.dir)).toEqual(before);
      expect(leftovers(home.dir)).toEqual([]);
    } finally {
      await far.close();
    }
  });

  it('fails over to the next registry URL on an HTML page or a 500, and keeps the cache when all fail', async () => {
    lab.routes.set('/html/registry.json', bytesRoute('<html><body>Sign in</body></html>', 'text/html'));
    lab.routes.set('/500/registry.json', bytesRoute('oops', 'text/plain', 500));
    const c = await client('/html/registry.json', [`${lab.url}/500/registry.json`, `${lab.url}/wxauto/registry.json`]);
    const ok = await c.refresh();
    expect(ok.refreshed[0]?.mirror).toBe(`${lab.url}/wxauto/registry.json`);
    const before = userState(home.dir);
    lab.routes.delete('/wxauto/registry.json');
    const bad = await c.refresh();
    expect(bad.failed[0]?.code).toBe('E_ALL_MIRRORS_FAILED');
    expect(bad.failed[0]?.mirrors?.map((m) => m.reason)).toEqual(['http 4xx', 'not JSON', 'http 5xx']);
    // Search still answers from the last good copy.
    expect((await c.search('dify')).map((h) => h.plugin_id)).toEqual(['advanced-dify-platform']);
    const after = userState(home.dir);
    delete after['cache/index/wx.stale.json'];
    expect(after).toEqual(before);
  });

  it('a Wharf (native) registry.json is not accepted as a wxauto source', async () => {
    const native = readRegistry(readWxauto());
    lab.routes.set('/native/registry.json', jsonRoute(native));
    const c = await client('/native/registry.json');
    const r = await c.refresh();
    expect(r.failed[0]?.mirrors?.[0]?.message).toMatch(/Wharf registry, not a WXAUTO-MGT one/);
  });

  it('the wharf CLI: source add --type wxauto, refresh, search, info, stats, install --allow-unpinned, run', async () => {
    const env = { WHARF_GITHUB_API_URL: api() };
    const h = ['--home', home.dir];
    const add = await wharf([...h, 'source', 'add', 'wx', `${lab.url}/wxauto/registry.json`, '--type', 'wxauto'], env);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/unverified/);
    const refresh = await wharf([...h, 'refresh'], env);
    expect(refresh.stdout).toMatch(/^wx: 3 plugins, legacy WXAUTO-MGT index, UNVERIFIED, from /);
    // Read-only commands and refusals change nothing, so they run side by side.
    const [search, human, info, stats, refused, unsupported] = await Promise.all([
      wharf([...h, '--json', 'search', 'AI'], env),
      wharf([...h, 'search', 'dify'], env),
      wharf([...h, 'info', 'wechat-work-integration'], env),
      wharf([...h, '--json', 'stats'], env),
      wharf([...h, 'install', 'advanced-dify-platform'], env),
      wharf([...h, '--json', 'install', 'wechat-work-integration', '--allow-unpinned'], env),
    ]);
    expect(JSON.parse(search.stdout).map((x: { plugin_id: string }) => x.plugin_id)).toEqual([
      'advanced-dify-platform',
      'smart-keyword-matcher',
    ]);
    expect(human.stdout).toMatch(/^advanced-dify-platform@2\.1\.0\t\(legacy, unverified\) /);
    expect(info.stdout).toMatch(/E_PERMISSION_UNSUPPORTED.*message\.send/);
    expect(JSON.parse(stats.stdout)).toMatchObject({
      total_plugins: 3,
      featured_plugins: 1,
      verified_plugins: 3,
      total_downloads: 2538,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/E_UNPINNED/);
    expect(JSON.parse(unsupported.stdout).error.code).toBe('E_PERMISSION_UNSUPPORTED');
    const inst = await wharf([...h, 'install', 'advanced-dify-platform', '--allow-unpinned'], env);
    expect(inst.code, inst.stderr).toBe(0);
    const run = await wharf([...h, 'run', 'advanced-dify-platform', 'count_vowels', '--input', 'Hello World'], env);
    expect(run.stdout).toBe('{"count":3}');
  });
});

describe('legacy rules without data', () => {
  it('tags X.Y.Z and vX.Y.Z are versions, other tags are not', () => {
    expect(versionFromTag('1.2.3')).toBe('1.2.3');
    expect(versionFromTag('v1.2.3')).toBe('1.2.3');
    expect(versionFromTag('v1.2.3-rc.1')).toBe('1.2.3-rc.1');
    for (const t of ['1.2', 'V1.2.3', 'release-1.2.3', 'v1.2.3.4', 'vv1.2.3', '01.2.3'])
      expect(versionFromTag(t)).toBe(undefined);
  });

  it('picks the highest matching release with a plugin.wasm, prereleases only when asked', () => {
    const rel = (tag: string, pre = false) =>
      githubRelease('https://example.test', tag, [{ name: 'plugin.wasm', path: `/${tag}.wasm`, size: 1 }], {
        prerelease: pre,
      });
    const list = [rel('v1.0.0'), rel('1.4.0'), rel('v2.0.0-beta.1', true), rel('v1.10.0')];
    expect(pickRelease('p', list, '*', 'x').tag).toBe('v1.10.0');
    expect(pickRelease('p', list, '~1.4', 'x').tag).toBe('1.4.0');
    expect(pickRelease('p', list, '>=2.0.0-beta.0', 'x').tag).toBe('v2.0.0-beta.1');
    expect(() => pickRelease('p', [rel('v1.0.0')], '^3', 'x')).toThrow(/No release of p matches/);
  });

  it('orders featured, verified, downloads, rating and searches the joined text', () => {
    const p = (over: Partial<RegistryPlugin>) =>
      ({ featured: false, verified: false, stats: { downloads: 0, stars: 0 }, ...over }) as RegistryPlugin;
    const list = [
      p({ plugin_id: 'd', stats: { downloads: 9, stars: 0, rating: 1 } }),
      p({ plugin_id: 'c', verified: true }),
      p({ plugin_id: 'e', stats: { downloads: 9, stars: 0, rating: 5 } }),
      p({ plugin_id: 'a', featured: true }),
    ];
    expect(list.sort(compareWxauto).map((x) => x.plugin_id)).toEqual(['a', 'c', 'e', 'd']);
    expect(searchableText(p({ name: 'Ab', short_description: 'Cd', description: 'Ef', tags: ['G', 'h'] }))).toBe(
      'ab cd ef g h',
    );
  });
});
