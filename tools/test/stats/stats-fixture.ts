// A marketplace (market-fixture: bare GitHub and Gitee remotes, a bot clone, the review stand-in) with example
// plugins published through real approvals, and the stats stand-in answering for the same repositories.
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { expect } from 'vitest';
import { handleComment } from '../../src/publish-bot/approve.js';
import { readFullRegistry } from '../../src/registry/sharded-store.js';
import { postReview, runReview } from '../../src/review/run-review.js';
import { runMain } from '../fixtures.js';
import { BOT } from '../review/github-stub.js';
import {
  createMarket,
  FORM,
  issueRef,
  MAINTAINER,
  MARKET,
  type Market,
  publishMarket,
} from '../review/market-fixture.js';
import { StatsApiStub } from './stats-api-stub.js';

export interface StatsMarket {
  m: Market;
  api: StatsApiStub;
  /** Reviews, approves (as a maintainer) and leaves unpublished a submission of example `name`. */
  approve(name: string): Promise<number>;
  /** Registers `alice/<name>` in the stats stand-in with the market's repository id. */
  count(name: string, github: { stars: number; downloads: number }, gitee?: number): void;
  /** `wharf-admin --json stats --workdir <dir>` against the stand-in. */
  stats(extra?: string[], workdir?: string): Promise<{ code: number; out: Record<string, unknown>; stderr: string }>;
  /** The registry as origin's main has it now. */
  originRegistry(): Promise<Awaited<ReturnType<typeof readFullRegistry>>>;
  close(): Promise<void>;
}

export async function createStatsMarket(plugins: string[], opts: { shard?: boolean } = {}): Promise<StatsMarket> {
  const m = await createMarket();
  const api = await new StatsApiStub().start();
  if (opts.shard) {
    const { migrateToSharded } = await import('../../src/registry/sharded-store.js');
    await migrateToSharded(join(m.workdir, 'registry'), { keysDir: m.keysDir, bitLength: 2 });
    const git = simpleGit(m.workdir);
    await git.addConfig('user.name', 'admin').addConfig('user.email', 'admin@example.com');
    await git.add('registry').commit('registry: shard');
    await git.push('origin', 'main');
    await git.push('gitee', 'main');
  }
  let checkouts = 0;
  const sm: StatsMarket = {
    m,
    api,
    async approve(name) {
      m.addExampleRelease(name);
      const issue = m.submit(name);
      const run = await runReview({
        source: { kind: 'issue', ref: issueRef(issue) },
        formYaml: FORM,
        gh: m.gh,
        registry: await readFullRegistry(join(m.workdir, 'registry')),
        smoke: 'skip',
      });
      await postReview(m.gh, issueRef(issue), run.report, BOT.login);
      const c = m.stub.addComment(MARKET, issue, MAINTAINER, `/approve ${run.report.digests.wasm_sha256.slice(0, 12)}`);
      expect((await handleComment(m.gh, issueRef(issue), c, m.maintainers, BOT.login)).action).toBe('approved');
      return issue;
    },
    count(name, github, gitee) {
      const slug = `alice/${name}`;
      const id = m.stub.repos.get(slug)?.id ?? 1;
      api.github.set(slug, { id, stars: github.stars, releases: { 'v0.1.0': { 'plugin.wasm': github.downloads } } });
      if (gitee !== undefined)
        api.gitee.set(slug, { id: 1, stars: 0, releases: { 'v0.1.0': { 'plugin.wasm': gitee } } });
    },
    async stats(extra = [], workdir = m.workdir) {
      const r = await runMain(
        ['--json', 'stats', '--workdir', workdir, '--keys', m.keysDir, '--gitee-api', api.giteeApi, ...extra],
        { GITHUB_API_URL: api.url, GITHUB_TOKEN: 'bot-token' },
      );
      return { code: r.code, out: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
    },
    async originRegistry() {
      const dir = join(m.root, `origin-checkout-${++checkouts}`);
      await simpleGit().clone(m.origin, dir);
      return readFullRegistry(join(dir, 'registry'));
    },
    async close() {
      await api.close();
      await m.close();
    },
  };
  for (const name of plugins) await sm.approve(name);
  if (plugins.length) {
    const r = await publishMarket(m, opts.shard ? { mirrorRemote: 'gitee' } : {});
    expect(r.published.map((p) => p.id).sort()).toEqual([...plugins].sort());
  }
  return sm;
}
