// `wharf-admin stats` end to end: numbers from the GitHub and Gitee stand-ins, written through the publish path
// (commit, re-sign, push GitHub then Gitee), read back by the real `wharf` CLI from the signed registry.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, WHARF, WHARF_ADMIN } from '../../../test/helpers/demo.js';
import { snapshotDir } from '../../../test/helpers/snapshot-dir.js';
import { startStaticServer } from '../../src/serve/static-server.js';
import { MAX_COUNT } from '../../src/stats/api-counts.js';
import { tempFiles } from '../fixtures.js';
import { MARKET } from '../review/market-fixture.js';
import { createStatsMarket, type StatsMarket } from './stats-fixture.js';

let s: StatsMarket;
const head = (bare: string) => simpleGit(bare).revparse(['main']);
const statsOf = async (id: string) => (await s.originRegistry()).plugins.find((p) => p.plugin_id === id)?.stats;

beforeAll(async () => {
  s = await createStatsMarket(['count-vowels', 'greet']);
  s.count('count-vowels', { stars: 7, downloads: 40 }, 2);
  s.count('greet', { stars: 3, downloads: 10 }, 0);
});
afterAll(async () => s?.close());
beforeEach(() => {
  s.api.faults = [];
  s.api.raw.clear();
  s.api.requests.length = 0;
  s.api.requestTimes.length = 0;
});

describe('wharf-admin stats --workdir', () => {
  let bump = 0;
  it('counts downloads (GitHub + the Gitee mirror) and stars, commits, re-signs and pushes GitHub then Gitee', async () => {
    const before = await head(s.m.origin);
    const r = await s.stats();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/stats: 2\/2 plugins counted/);
    expect(r.out).toMatchObject({
      counted: 2,
      failed: [],
      changes: [
        { plugin_id: 'count-vowels', before: { downloads: 0, stars: 0 }, after: { downloads: 42, stars: 7 } },
        { plugin_id: 'greet', before: { downloads: 0, stars: 0 }, after: { downloads: 10, stars: 3 } },
      ],
      attempts: 1,
      mirror: { remote: 'gitee' },
    });
    expect((r.out.mirror as { code?: string }).code).toBeUndefined();
    expect(await head(s.m.origin)).not.toBe(before);
    expect(await head(s.m.gitee)).toBe(await head(s.m.origin));
    expect((await simpleGit(s.m.origin).log(['main'])).latest?.message).toBe('registry: stats for 2 plugin(s)');
    const cv = await statsOf('count-vowels');
    expect(cv).toMatchObject({ downloads: 42, stars: 7 });
    expect(Date.parse(cv?.updated_at ?? '')).toBeGreaterThan(0);
    // Downloads came from the release listing (one page), stars from the repo; Gitee by tag.
    expect(s.api.requests).toEqual(
      expect.arrayContaining([
        'GET /repos/alice/count-vowels',
        'GET /repos/alice/count-vowels/releases',
        'GET /gitee/api/v5/repos/alice/count-vowels/releases/tags/v0.1.0',
      ]),
    );
  });

  it('the signed registry carries them to `wharf search`, `wharf info` and `wharf stats`', async () => {
    const dir = join(s.m.root, 'served');
    await simpleGit().clone(s.m.origin, dir);
    const server = await startStaticServer(join(dir, 'registry'), { port: 0 });
    const home = join(s.m.root, 'home');
    const wharf = (...a: string[]) => runCli(WHARF, ['--home', home, ...a]);
    try {
      const add = await wharf('source', 'add', 'main', server.url, '--root-sha256', s.m.rootSha256);
      expect(add.code, add.stderr).toBe(0);
      expect((await wharf('refresh')).code).toBe(0);
      const search = await wharf('--json', 'search', 'vowels');
      expect(search.code, search.stderr).toBe(0);
      expect(JSON.parse(search.stdout)).toEqual([
        expect.objectContaining({ plugin_id: 'count-vowels', downloads: 42, stars: 7 }),
      ]);
      expect((await wharf('search', 'vowels')).stdout).toMatch(/count-vowels@0\.1\.0\t.*42 downloads, 7 stars/);
      const info = await wharf('info', 'count-vowels');
      expect(info.stdout).toMatch(/downloads 42 {2}stars 7/);
      expect(JSON.parse((await wharf('--json', 'info', 'count-vowels')).stdout).plugin.stats).toMatchObject({
        downloads: 42,
        stars: 7,
      });
      const stats = await wharf('--json', 'stats');
      expect(JSON.parse(stats.stdout)).toMatchObject({
        total_plugins: 2,
        total_downloads: 52,
        total_stars: 10,
        top_downloads: [
          { plugin_id: 'count-vowels', downloads: 42, stars: 7 },
          { plugin_id: 'greet', downloads: 10, stars: 3 },
        ],
      });
      expect((await wharf('stats')).stdout).toMatch(/total_stars {7}10[\s\S]*count-vowels +42 downloads +7 stars/);
    } finally {
      await server.close();
    }
  });

  it('makes no commit when no number changed', async () => {
    const before = [await head(s.m.origin), await head(s.m.gitee)];
    const r = await s.stats();
    expect(r.code, r.stderr).toBe(0);
    expect(r.out).toMatchObject({ counted: 2, changes: [] });
    expect(r.out.commit).toBeUndefined();
    expect([await head(s.m.origin), await head(s.m.gitee)]).toEqual(before);
  });

  it('--dry-run shows the change and writes nothing', async () => {
    s.count('greet', { stars: 4, downloads: 11 }, 0);
    const registry = snapshotDir(join(s.m.workdir, 'registry'));
    const before = await head(s.m.origin);
    const r = await s.stats(['--dry-run']);
    expect(r.out).toMatchObject({
      dry_run: true,
      changes: [{ plugin_id: 'greet', after: { downloads: 11, stars: 4 } }],
    });
    expect(await head(s.m.origin)).toBe(before);
    expect(snapshotDir(join(s.m.workdir, 'registry'))).toEqual(registry);
  });

  it.each([
    ['a secondary limit (429, retry-after)', { kind: 'secondary', status: 429, after: 1 }, 'GET /repos/alice/greet'],
    [
      'a primary limit (403, x-ratelimit-remaining 0)',
      { kind: 'primary', status: 403, after: 1 },
      'GET /repos/alice/greet/releases',
    ],
    [
      'a Gitee limit (429, retry-after)',
      { kind: 'secondary', status: 429, after: 1 },
      'GET /gitee/api/v5/repos/alice/greet/releases/tags/v0.1.0',
    ],
  ] as const)('waits out %s and then publishes', async (_n, fault, request) => {
    s.count('greet', { stars: 5, downloads: 12 + ++bump }, 0);
    s.api.faults = [{ match: new RegExp(`^${request}$`), ...fault }];
    const r = await s.stats(['--no-mirror']);
    expect(r.code, r.stderr).toBe(0);
    const [first, second, ...more] = s.api.hits(request);
    expect(more).toEqual([]);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(1000 - 50);
    expect(r.out.changes).toEqual([expect.objectContaining({ plugin_id: 'greet' })]);
  });

  it.each([
    ['GitHub, a primary limit an hour away', { kind: 'primary', status: 403, after: 3600 }, 'GET /repos/alice/greet'],
    [
      'GitHub, retry-after an hour',
      { kind: 'secondary', status: 429, after: 3600 },
      'GET /repos/alice/count-vowels/releases',
    ],
    [
      'Gitee, retry-after an hour',
      { kind: 'secondary', status: 429, after: 3600 },
      'GET /gitee/api/v5/repos/alice/greet/releases/tags/v0.1.0',
    ],
  ] as const)(
    'refuses with E_RATE_LIMITED (%s): registry, remotes byte-identical, no temp files',
    async (_n, f, req) => {
      s.count('greet', { stars: 99, downloads: 999 }, 9); // there would be something to write
      s.api.faults = [{ match: new RegExp(`^${req}$`), ...f }];
      const work = snapshotDir(join(s.m.workdir, 'registry'));
      const origin = snapshotDir(s.m.origin);
      const gitee = snapshotDir(s.m.gitee);
      // One at a time: the plugins queued behind the refused one are never counted, and the run still ends.
      const r = await s.stats(['--concurrency', '1']);
      expect(r.code).toBe(1);
      expect((r.out.error as { code: string }).code).toBe('E_RATE_LIMITED');
      if (req.includes('count-vowels')) expect(s.api.requests.filter((x) => x.includes('greet'))).toEqual([]);
      expect((r.out.error as { message: string }).message).toMatch(/retry after 3[56]\d\d s/);
      expect(s.api.hits(req)).toHaveLength(1);
      expect(snapshotDir(join(s.m.workdir, 'registry'))).toEqual(work);
      expect(snapshotDir(s.m.origin)).toEqual(origin);
      expect(snapshotDir(s.m.gitee)).toEqual(gitee);
      expect(await tempFiles(join(s.m.workdir, 'registry'))).toEqual([]);
    },
  );

  it('keeps the old numbers of a plugin whose repository 404s, reports it, and publishes the others', async () => {
    const greet = await statsOf('greet');
    const saved = s.api.github.get('alice/greet');
    s.api.github.delete('alice/greet');
    s.count('count-vowels', { stars: 8, downloads: 50 }, 2);
    try {
      const r = await s.stats();
      expect(r.code, r.stderr).toBe(0);
      expect(r.out.failed).toEqual([
        { plugin_id: 'greet', code: 'E_NOT_FOUND', message: expect.stringMatching(/alice\/greet does not exist/) },
      ]);
      expect(r.out.changes).toEqual([
        expect.objectContaining({ plugin_id: 'count-vowels', after: { downloads: 52, stars: 8 } }),
      ]);
      expect(await statsOf('greet')).toEqual(greet);
      expect(await statsOf('count-vowels')).toMatchObject({ downloads: 52, stars: 8 });
    } finally {
      if (saved) s.api.github.set('alice/greet', saved);
    }
  });

  it('refuses a recreated repository (another repository id) for that plugin only', async () => {
    const greet = await statsOf('greet');
    const repo = s.api.github.get('alice/greet');
    if (repo) repo.id += 1;
    try {
      const r = await s.stats(['--dry-run']);
      expect(r.out.failed).toEqual([expect.objectContaining({ plugin_id: 'greet', code: 'E_REPO_ID_MISMATCH' })]);
      expect(await statsOf('greet')).toEqual(greet);
    } finally {
      if (repo) repo.id -= 1;
    }
  });

  it.each([
    ['negative stars', 'GET /repos/alice/greet', { id: 0, stargazers_count: -5 }, /negative/],
    ['stars as a string', 'GET /repos/alice/greet', { id: 0, stargazers_count: '12' }, /not a number/],
    ['fractional downloads', 'releases', 1.5, /not a whole number/],
    ['null downloads', 'releases', null, /not a number/],
  ])('refuses hostile API values (%s): the plugin keeps its old numbers', async (_n, where, value, why) => {
    const greet = await statsOf('greet');
    const id = s.api.github.get('alice/greet')?.id ?? 0;
    if (where === 'releases')
      s.api.raw.set('GET /repos/alice/greet/releases', [
        { id: 1, tag_name: 'v0.1.0', assets: [{ id: 1, name: 'plugin.wasm', download_count: value }] },
      ]);
    else s.api.raw.set(where, { ...(value as object), id });
    const r = await s.stats(['--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.out.failed).toEqual([
      { plugin_id: 'greet', code: 'E_SCHEMA', message: expect.stringMatching(why as RegExp) },
    ]);
    expect(await statsOf('greet')).toEqual(greet);
  });

  it('clamps absurdly large counts to the largest the registry stores', async () => {
    const id = s.api.github.get('alice/greet')?.id ?? 0;
    s.api.raw.set('GET /repos/alice/greet', `{"id": ${id}, "stargazers_count": 1e400}`); // JSON.parse: Infinity
    s.api.raw.set('GET /repos/alice/greet/releases', [
      { id: 1, tag_name: 'v0.1.0', assets: [{ id: 1, name: 'plugin.wasm', download_count: 2 ** 60 }] },
    ]);
    s.api.raw.set('GET /gitee/api/v5/repos/alice/greet/releases/tags/v0.1.0', {
      tag_name: 'v0.1.0',
      assets: [{ name: 'plugin.wasm', download_count: 2 ** 60 }],
    });
    const r = await s.stats(['--no-mirror']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.out.failed).toEqual([]);
    expect(await statsOf('greet')).toMatchObject({ downloads: MAX_COUNT, stars: MAX_COUNT });
  });
});

describe('a concurrent approval racing a stats publish', () => {
  it('lands both exactly once: the stats publish loses the push, re-applies on top of the approval, re-signs', async () => {
    const issue = await s.approve('word-stats');
    s.count('count-vowels', { stars: 9, downloads: 60 }, 2);
    const statsClone = await s.m.cloneWorkdir('stats-racer');
    const approvalClone = await s.m.cloneWorkdir('approval-racer');
    // The approval lands on origin while the stats publish is pushing: its pre-push hook (first push only) runs the
    // real publish-submissions in the other clone, so the stats commit is non-fast-forward, deterministically.
    const mark = join(s.m.root, 'raced');
    const hook = join(statsClone, '.git', 'hooks', 'pre-push');
    writeFileSync(
      hook,
      [
        '#!/bin/sh',
        `[ -e '${mark}' ] && exit 0`,
        `touch '${mark}'`,
        `GITHUB_API_URL='${s.m.stub.url}' GITHUB_TOKEN=bot-token '${process.execPath}' '${WHARF_ADMIN}' --json publish-submissions --repo ${MARKET} --workdir '${approvalClone}' --keys '${s.m.keysDir}' --gitee-api '${s.m.stub.giteeApi}' --no-mirror > '${mark}' 2>&1 || exit 0`,
        'exit 0',
        '',
      ].join('\n'),
    );
    chmodSync(hook, 0o755);
    const r = await s.stats(['--no-mirror'], statsClone);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(mark)).toBe(true);
    expect(r.out.attempts).toBe(2);
    const full = await s.originRegistry();
    expect(full.plugins.map((p) => [p.plugin_id, p.releases.length])).toEqual([
      ['count-vowels', 1],
      ['greet', 1],
      ['word-stats', 1],
    ]);
    expect(full.plugins.find((p) => p.plugin_id === 'count-vowels')?.stats).toMatchObject({ downloads: 62, stars: 9 });
    const log = (await simpleGit(s.m.origin).log(['main'])).all.map((c) => c.message);
    expect(log.filter((m) => m === `registry: publish word-stats@0.1.0 (#${issue})`)).toHaveLength(1);
    expect(log.filter((m) => m.startsWith('registry: stats')).length).toBeGreaterThan(0);
    expect(log[0]).toMatch(/^registry: stats for /);
    expect(s.m.stub.labels(MARKET, issue)).toContain('published');
  });
});
