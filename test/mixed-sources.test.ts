// One home with a signed TUF source and a legacy WXAUTO-MGT source: the source layer (client/src/sources/
// source-set.ts) puts the kinds together, so the client itself never branches on a kind. Real servers on
// 127.0.0.1: a signed lab registry, and the WXAUTO-MGT fixture registry with a GitHub API stand-in.
import { existsSync, readFileSync } from 'node:fs';
import type { WharfClient } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytesRoute,
  COUNT_VOWELS_WASM,
  githubRelease,
  HAVE_DATA,
  jsonRoute,
  type Lab,
  startLab,
  WXAUTO_REGISTRY,
} from '../client/test/legacy/wxauto-lab.js';
import { createLab, type ReleaseLab } from './helpers/release-lab.js';
import { expectRefusal } from './helpers/snapshot-dir.js';

const DIFY_RELEASES = '/api/repos/zhangsan/wxauto-dify-advanced/releases';

describe.skipIf(!HAVE_DATA || !existsSync(COUNT_VOWELS_WASM))('a signed and a legacy source in one home', () => {
  let lab: ReleaseLab;
  let wx: Lab;
  let c: WharfClient;
  beforeAll(async () => {
    lab = await createLab();
    for (const id of ['good', 'other']) await lab.add({ id, version: '1.0.0' });
    await lab.publish();
    wx = await startLab();
    const wasm = readFileSync(COUNT_VOWELS_WASM);
    wx.routes.set('/wxauto/registry.json', bytesRoute(readFileSync(WXAUTO_REGISTRY), 'application/json'));
    wx.routes.set('/assets/v2.1.0/plugin.wasm', bytesRoute(wasm));
    wx.routes.set(
      DIFY_RELEASES,
      jsonRoute([
        githubRelease(wx.url, 'v2.1.0', [
          { name: 'plugin.wasm', path: '/assets/v2.1.0/plugin.wasm', size: wasm.byteLength },
        ]),
      ]),
    );
    process.env.WHARF_GITHUB_API_URL = `${wx.url}/api`;
    c = await lab.client();
    // Tried first, but adding a source never moves the bare ids to it (DESIGN §3): they stay the signed source's.
    await c.addSource({ alias: 'wx', url: `${wx.url}/wxauto/registry.json`, type: 'wxauto', priority: 1 });
  });
  afterAll(async () => {
    delete process.env.WHARF_GITHUB_API_URL;
    await wx?.close();
    await lab?.close();
  });

  it('refresh reports each source; only the legacy one is unverified', async () => {
    const r = await c.refresh();
    expect(r.failed).toEqual([]);
    expect(r.refreshed.map((x) => [x.alias, x.unverified])).toEqual([
      ['wx', true],
      ['lab', undefined],
    ]);
    expect(c.sources().current).toBe('lab');
  });

  it('search: the signed hits first, then the legacy ones by WXAUTO-MGT rules, marked unverified', async () => {
    const hits = await c.search('');
    const signed = hits.filter((h) => !('unverified' in h));
    const legacy = hits.filter((h) => 'unverified' in h);
    expect(signed.map((h) => h.address).sort()).toEqual(['good', 'other']);
    expect(legacy.length).toBeGreaterThan(0);
    expect(legacy.every((h) => h.source === 'wx' && h.address.startsWith('wx:'))).toBe(true);
    expect(hits).toEqual([...signed, ...legacy]);
    // A query only the legacy entry matches answers from the legacy kind alone.
    expect((await c.search('dify')).map((h) => h.address)).toEqual(['wx:advanced-dify-platform']);
  });

  it('info: legacy extras only for the legacy entry', async () => {
    expect((await c.info('good')).legacy).toBeUndefined();
    expect((await c.info('wx:advanced-dify-platform')).legacy).toMatchObject({ type: 'wxauto', unverified: true });
  });

  it('installing both without --allow-unpinned refuses (E_UNPINNED) before the signed one is installed', async () => {
    const before = wx.hits.length;
    await expectRefusal(c.home.root, 'E_UNPINNED', () => c.installMany(['good', 'wx:advanced-dify-platform']));
    expect(wx.hits.slice(before)).toEqual([]); // no GitHub lookup, no download
    expect(c.list()).toEqual([]);
  });

  it('with --allow-unpinned: the signed one through the planner, the legacy one pinned by its computed sha256', async () => {
    const r = await c.installMany(['wx:advanced-dify-platform', 'good'], { allowUnpinned: true });
    expect(r.map((x) => [x.id, x.status])).toEqual([
      ['wx:advanced-dify-platform', 'installed'],
      ['good', 'installed'],
    ]);
    const lock = Object.fromEntries(c.list().map((e) => [e.id, e]));
    expect(lock.good?.keyid).not.toBe('');
    expect(lock['wx:advanced-dify-platform']).toMatchObject({ source: 'wx', keyid: '', index_version: 0 });
    expect(await c.verify({ full: true })).toEqual([
      { id: 'good', ok: true },
      { id: 'wx:advanced-dify-platform', ok: true },
    ]);
  });
});
