// wharf-admin stats --registry <dir>: a registry updated and re-signed in place (no Git), with a plugin whose
// repository is on Gitee, counted through the Gitee stand-in.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { snapshotDir } from '../../../test/helpers/snapshot-dir.js';
import { addReleaseFromFiles, initRegistry } from '../../src/index.js';
import { readRegistry } from '../../src/registry/store.js';
import { minisignKey, runMain, signedRelease, tempDir, tempFiles } from '../fixtures.js';
import { StatsApiStub } from './stats-api-stub.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let reg: string;
let api: StatsApiStub;

beforeAll(async () => {
  tmp = await tempDir('wharf-stats-');
  reg = join(tmp.path, 'registry');
  await initRegistry(reg); // keys at the default <parent>/registry.keys
  const author = await minisignKey(tmp.path);
  const add = async (id: string, repository: string, variant: number) => {
    const rel = await signedRelease(tmp.path, author, { manifest: { id, repository, homepage: repository }, variant });
    await addReleaseFromFiles(reg, {
      manifestPath: rel.manifestPath,
      wasmPath: rel.wasmPath,
      sigPath: rel.sigPath,
      urls: [`http://127.0.0.1:9/${id}/plugin.wasm`],
    });
  };
  await add('gitee-plugin', 'https://gitee.com/bob/gitee-plugin', 1);
  await add('elsewhere', 'https://codeberg.org/carol/elsewhere', 2);
  api = await new StatsApiStub().start();
  api.gitee.set('bob/gitee-plugin', { id: 77, stars: 5, releases: { 'v1.0.0': { 'plugin.wasm': 17 } } });
});
afterAll(async () => {
  await api?.close();
  await tmp?.cleanup();
});
beforeEach(() => {
  api.faults = [];
  api.requests.length = 0;
  api.requestTimes.length = 0;
});

const stats = async (...extra: string[]) => {
  const r = await runMain(['--json', 'stats', '--registry', reg, '--gitee-api', api.giteeApi, ...extra], {
    GITHUB_API_URL: api.url,
  });
  return { ...r, out: JSON.parse(r.stdout) as Record<string, unknown> };
};
const timestampVersion = () =>
  (JSON.parse(readFileSync(join(reg, 'metadata', 'timestamp.json'), 'utf8')) as { signed: { version: number } }).signed
    .version;

describe('wharf-admin stats --registry (in place)', () => {
  it('refuses with E_IO when the signing keys are missing, before counting or writing anything', async () => {
    const before = snapshotDir(reg);
    const r = await stats('--keys', join(tmp.path, 'no-such-keys'));
    expect(r.code).toBe(1);
    expect((r.out.error as { code: string }).code).toBe('E_IO');
    expect(api.requests).toEqual([]);
    expect(snapshotDir(reg)).toEqual(before);
    expect(await tempFiles(reg)).toEqual([]);
  });

  it('counts a Gitee-hosted plugin through the Gitee API, skips a host it cannot count, re-signs', async () => {
    const version = timestampVersion();
    const r = await stats();
    expect(r.code, r.stderr).toBe(0);
    expect(r.out).toMatchObject({
      counted: 1,
      changes: [{ plugin_id: 'gitee-plugin', after: { downloads: 17, stars: 5 } }],
      skipped: [{ plugin_id: 'elsewhere', reason: 'no GitHub or Gitee repository URL' }],
      signed: true,
    });
    expect(api.requests).toEqual([
      'GET /gitee/api/v5/repos/bob/gitee-plugin',
      'GET /gitee/api/v5/repos/bob/gitee-plugin/releases/tags/v1.0.0',
    ]);
    const { registry } = await readRegistry(reg);
    expect(registry.plugins.find((p) => p.plugin_id === 'gitee-plugin')?.stats).toMatchObject({
      downloads: 17,
      stars: 5,
    });
    expect(timestampVersion()).toBe(version + 1);
    expect(await tempFiles(reg)).toEqual([]);
  });

  it('leaves the registry byte-identical when nothing changed', async () => {
    const before = snapshotDir(reg);
    const r = await stats();
    expect(r.out).toMatchObject({ changes: [] });
    expect(r.out.signed).toBeUndefined();
    expect(snapshotDir(reg)).toEqual(before);
  });

  it('waits out a Gitee primary limit (403, x-ratelimit-remaining 0) and then counts', async () => {
    api.gitee.set('bob/gitee-plugin', { id: 77, stars: 6, releases: { 'v1.0.0': { 'plugin.wasm': 18 } } });
    const path = 'GET /gitee/api/v5/repos/bob/gitee-plugin';
    api.faults = [{ match: new RegExp(`^${path}$`), kind: 'primary', status: 403, after: 1 }];
    const r = await stats();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Gitee rate limit: waiting [12] s before retrying GET \/repos\/bob\/gitee-plugin/);
    expect(api.hits(path)).toHaveLength(2);
    expect(r.out.changes).toEqual([expect.objectContaining({ after: { downloads: 18, stars: 6 } })]);
  });

  it('keeps the old numbers of a Gitee repository that 404s and reports it', async () => {
    const before = snapshotDir(reg);
    const saved = api.gitee.get('bob/gitee-plugin');
    api.gitee.delete('bob/gitee-plugin');
    try {
      const r = await stats();
      expect(r.code, r.stderr).toBe(0);
      expect(r.out.failed).toEqual([expect.objectContaining({ plugin_id: 'gitee-plugin', code: 'E_NOT_FOUND' })]);
      expect(snapshotDir(reg)).toEqual(before);
    } finally {
      if (saved) api.gitee.set('bob/gitee-plugin', saved);
    }
  });

  it('refuses a Gitee 429 whose retry-after is past the bound (E_RATE_LIMITED), registry byte-identical', async () => {
    api.gitee.set('bob/gitee-plugin', { id: 77, stars: 60, releases: { 'v1.0.0': { 'plugin.wasm': 180 } } });
    const before = snapshotDir(reg);
    api.raw.clear();
    api.faults = [{ match: /releases\/tags/, kind: 'secondary', status: 429, after: 7200 }];
    const r = await stats();
    expect(r.code).toBe(1);
    expect((r.out.error as { code: string }).code).toBe('E_RATE_LIMITED');
    expect(snapshotDir(reg)).toEqual(before);
    expect(await tempFiles(reg)).toEqual([]);
  });
});
