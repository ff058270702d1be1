// WXAUTO-MGT compatibility on the client side, on the real fixture data served from 127.0.0.1: the original
// (rewritten) id stays visible and usable on its legacy source, and a releases_url naming the HTML releases page
// is read as the REST list it stands for.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempLeftovers, userState } from '../../../test/helpers/snapshot-dir.js';
import { WharfClient } from '../../src/client.js';
import { parseAddress } from '../../src/index/catalog.js';
import { resolveLegacyRelease } from '../../src/legacy/github-releases.js';
import {
  bytesRoute,
  COUNT_VOWELS_WASM,
  githubRelease,
  HAVE_DATA,
  jsonRoute,
  type Lab,
  readWxauto,
  startLab,
  tempHome,
  wharf,
} from './wxauto-lab.js';

const RELEASES = '/repos/zhangsan/wxauto-dify-advanced/releases';
const WASM = existsSync(COUNT_VOWELS_WASM) ? new Uint8Array(readFileSync(COUNT_VOWELS_WASM)) : new Uint8Array();
const WASM_SHA = createHash('sha256').update(WASM).digest('hex');

describe.skipIf(!HAVE_DATA)('WXAUTO-MGT ids and release lookups', () => {
  let lab: Lab;
  let home: { dir: string; cleanup(): void };
  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(() => lab.close());
  beforeEach(() => {
    home = tempHome();
    lab.routes.clear();
    lab.hits.length = 0;
    lab.routes.set('/wxauto/registry.json', jsonRoute(readWxauto()));
    lab.routes.set('/assets/v2.1.0/plugin.wasm', bytesRoute(WASM));
    lab.routes.set(
      `/api${RELEASES}`,
      jsonRoute([
        githubRelease(lab.url, 'v2.1.0', [
          { name: 'plugin.wasm', path: '/assets/v2.1.0/plugin.wasm', size: WASM.byteLength },
        ]),
      ]),
    );
  });
  afterEach(() => home.cleanup());

  const cli = (args: string[]) =>
    wharf(['--home', home.dir, '--json', ...args], { WHARF_GITHUB_API_URL: `${lab.url}/api` });
  const addSource = async (path = '/wxauto/registry.json') => {
    const r = await cli(['source', 'add', 'wx', `${lab.url}${path}`, '--type', 'wxauto']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await cli(['refresh'])).code).toBe(0);
  };

  it('search and info --json show legacy_id next to the rewritten id', async () => {
    await addSource();
    const hits = JSON.parse((await cli(['search', ''])).stdout) as Array<{ plugin_id: string; legacy_id?: string }>;
    expect(hits.find((h) => h.plugin_id === 'smart-keyword-matcher')?.legacy_id).toBe('smart_keyword_matcher');
    const info = await cli(['info', 'smart_keyword_matcher']);
    expect(info.code, info.stdout).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({
      address: 'smart-keyword-matcher',
      plugin: { plugin_id: 'smart-keyword-matcher', legacy_id: 'smart_keyword_matcher' },
      legacy: { legacy_id: 'smart_keyword_matcher' },
    });
    expect(JSON.parse((await cli(['info', 'wx:smart_keyword_matcher'])).stdout).address).toBe('smart-keyword-matcher');
  });

  it('`wharf install <original id> --allow-unpinned` installs under the Wharf id', async () => {
    await addSource();
    const r = await cli(['--yes', 'install', 'advanced_dify_platform', '--allow-unpinned']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lock = JSON.parse(readFileSync(join(home.dir, 'wharf.lock.json'), 'utf8'));
    expect(Object.keys(lock.plugins)).toEqual(['advanced-dify-platform']);
    expect(lock.plugins['advanced-dify-platform']).toMatchObject({ source: 'wx', version: '2.1.0', sha256: WASM_SHA });
    expect(readdirSync(join(home.dir, 'plugins'))).toEqual(['advanced-dify-platform']);
  });

  it('an original id is only a name on its legacy source: elsewhere it stays E_ID_INVALID, and nothing changes', async () => {
    await addSource();
    const before = userState(home.dir);
    for (const spec of ['no_such_plugin', 'other:advanced_dify_platform', '__proto__', '../x']) {
      const r = await cli(['install', spec, '--allow-unpinned']);
      expect(r.code, spec).toBe(1);
      expect(JSON.parse(r.stdout).error.code, spec).toBe('E_ID_INVALID');
    }
    expect(userState(home.dir)).toEqual(before);
    expect(tempLeftovers(home.dir)).toEqual([]);
    expect(() => parseAddress('a/b')).toThrow(expect.objectContaining({ code: 'E_ID_INVALID' }));
  });

  it('a releases_url naming the HTML releases page is fetched as the REST list', async () => {
    const doc = readWxauto();
    const dify = doc.plugins[0] as { repository: { primary: Record<string, string> } };
    dify.repository.primary.releases_url = 'https://github.com/zhangsan/wxauto-dify-advanced/releases';
    lab.routes.set('/html/registry.json', jsonRoute(doc));
    const c = new WharfClient({ home: home.dir });
    await c.addSource({ alias: 'wx', url: `${lab.url}/html/registry.json`, type: 'wxauto' });
    expect((await c.info('advanced-dify-platform')).plugin.repository.primary.releases_url).toBe(
      `https://api.github.com${RELEASES}`,
    );
    process.env.WHARF_GITHUB_API_URL = `${lab.url}/api`;
    try {
      const r = await c.install('advanced-dify-platform', { allowUnpinned: true, yes: true });
      expect(r).toMatchObject({ status: 'installed', version: '2.1.0', sha256: WASM_SHA });
    } finally {
      delete process.env.WHARF_GITHUB_API_URL;
    }
    expect(lab.hits).toContain(`/api${RELEASES}`);

    // And the client's own lookup, for an entry that still carries the HTML page (a cache from an older reader).
    lab.hits.length = 0;
    const plugin = (await c.info('advanced-dify-platform')).plugin;
    const html = {
      ...plugin,
      repository: {
        primary: {
          ...plugin.repository.primary,
          releases_url: `https://github.com/zhangsan/wxauto-dify-advanced/releases`,
        },
      },
    };
    const rel = await resolveLegacyRelease(html, undefined, { githubApiUrl: `${lab.url}/api` });
    expect(rel).toMatchObject({ version: '2.1.0', from: `${lab.url}/api${RELEASES}` });
    expect(lab.hits).toEqual([`/api${RELEASES}`]);
  });
});
