// wharf-admin stats on a sharded registry (DESIGN §3 "At scale"): only the plugins whose numbers changed are
// rewritten, and only their bins, the snapshot and the timestamp are re-signed; the top-level targets is not.
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, WHARF } from '../../../test/helpers/demo.js';
import { startStaticServer } from '../../src/serve/static-server.js';
import { createStatsMarket, type StatsMarket } from './stats-fixture.js';

let s: StatsMarket;
beforeAll(async () => {
  s = await createStatsMarket(['count-vowels', 'greet'], { shard: true });
});
afterAll(async () => s?.close());

const changedFiles = async () =>
  (await simpleGit(s.m.origin).raw(['diff', '--name-only', 'main~1', 'main'])).trim().split('\n').sort();

describe('wharf-admin stats on a sharded registry', () => {
  it('rewrites and re-signs only the changed plugin file and its bin, then pushes both remotes', async () => {
    s.count('count-vowels', { stars: 4, downloads: 30 }, 1);
    s.count('greet', { stars: 0, downloads: 0 }, 0); // the same numbers the registry holds: untouched
    const r = await s.stats();
    expect(r.code, r.stderr).toBe(0);
    expect(r.out).toMatchObject({
      counted: 2,
      changes: [{ plugin_id: 'count-vowels', after: { downloads: 31, stars: 4 } }],
      mirror: { remote: 'gitee' },
    });
    expect(await simpleGit(s.m.gitee).revparse(['main'])).toBe(await simpleGit(s.m.origin).revparse(['main']));
    const files = await changedFiles();
    expect(files).toContain('registry/plugins/count-vowels.json');
    expect(files).not.toContain('registry/plugins/greet.json');
    const metadata = files.filter((f) => f.startsWith('registry/metadata/'));
    expect(metadata.some((f) => /\.bins-[0-9a-f]+\.json$/.test(f))).toBe(true);
    expect(metadata.filter((f) => /\.bins-/.test(f))).toHaveLength(1); // one bin, one version
    expect(metadata.some((f) => /snapshot\.json$/.test(f))).toBe(true);
    expect(metadata.some((f) => /timestamp\.json$/.test(f))).toBe(true);
    expect(metadata.some((f) => /\d+\.targets\.json$/.test(f))).toBe(false);
    const full = await s.originRegistry();
    expect(full.plugins.find((p) => p.plugin_id === 'count-vowels')?.stats).toMatchObject({ downloads: 31, stars: 4 });
    expect(full.plugins.find((p) => p.plugin_id === 'greet')?.stats).toEqual({ downloads: 0, stars: 0 });
  });

  it('the client reads the new numbers from the signed plugin file', async () => {
    const dir = join(s.m.root, 'served');
    await simpleGit().clone(s.m.origin, dir);
    const server = await startStaticServer(join(dir, 'registry'), { port: 0 });
    const home = join(s.m.root, 'home');
    const wharf = (...a: string[]) => runCli(WHARF, ['--home', home, ...a]);
    try {
      expect((await wharf('source', 'add', 'main', server.url, '--root-sha256', s.m.rootSha256)).code).toBe(0);
      expect((await wharf('refresh')).code).toBe(0);
      const info = await wharf('--json', 'info', 'count-vowels');
      expect(info.code, info.stderr).toBe(0);
      expect(JSON.parse(info.stdout).plugin.stats).toMatchObject({ downloads: 31, stars: 4 });
    } finally {
      await server.close();
    }
  });

  it('makes no commit when nothing changed', async () => {
    const head = await simpleGit(s.m.origin).revparse(['main']);
    const r = await s.stats();
    expect(r.out).toMatchObject({ changes: [] });
    expect(r.out.commit).toBeUndefined();
    expect(await simpleGit(s.m.origin).revparse(['main'])).toBe(head);
  });
});
