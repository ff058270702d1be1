// Publishing at scale through the real publish bot: three approvals published concurrently from three clones of
// a bare Git origin land exactly once each in a sharded registry (each re-applied on top of the winner touches
// only its plugin's file, its bin, the snapshot and the timestamp), and mirror sync's shrink guard reads the
// sharded summary registry.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleComment } from '../src/publish-bot/approve.js';
import { mirrorSync } from '../src/publish-bot/mirror-sync.js';
import { publishSubmissions } from '../src/publish-bot/publish-submissions.js';
import { migrateToSharded, readFullRegistry } from '../src/registry/sharded-store.js';
import { postReview, runReview } from '../src/review/run-review.js';
import { BOT } from './review/github-stub.js';
import { createMarket, FORM, issueRef, MAINTAINER, MARKET, type Market } from './review/market-fixture.js';

let m: Market;

beforeAll(async () => {
  m = await createMarket();
  // Shard the market's registry in its work clone and push it: every later clone starts sharded.
  await migrateToSharded(join(m.workdir, 'registry'), { keysDir: m.keysDir, bitLength: 2 });
  const git = simpleGit(m.workdir);
  await git.addConfig('user.name', 'admin').addConfig('user.email', 'admin@example.com');
  await git.add('registry').commit('registry: shard');
  await git.push('origin', 'main');
});
afterAll(async () => m?.close());

async function reviewAndPost(issue: number) {
  const run = await runReview({
    source: { kind: 'issue', ref: issueRef(issue) },
    formYaml: FORM,
    gh: m.gh,
    registry: await readFullRegistry(join(m.workdir, 'registry')),
    smoke: 'skip',
  });
  await postReview(m.gh, issueRef(issue), run.report, BOT.login);
  return run.report;
}

const publish = (workdir: string, issues?: number[]) =>
  publishSubmissions({
    gh: m.gh,
    repo: MARKET,
    workdir,
    keysDir: m.keysDir,
    maintainers: m.maintainers,
    botLogin: BOT.login,
    formYaml: FORM,
    giteeApi: m.stub.giteeApi,
    mirrorRemote: null,
    ...(issues ? { issues } : {}),
  });

describe('three approvals published concurrently into a sharded registry', () => {
  it('lands all three, each exactly once, as plugin files under the signed bins', async () => {
    const issues: number[] = [];
    for (const name of ['count-vowels', 'greet', 'word-stats']) {
      m.addExampleRelease(name);
      const issue = m.submit(name);
      const report = await reviewAndPost(issue);
      const c = m.stub.addComment(MARKET, issue, MAINTAINER, `/approve ${report.digests.wasm_sha256.slice(0, 12)}`);
      expect((await handleComment(m.gh, issueRef(issue), c, m.maintainers, BOT.login)).action).toBe('approved');
      issues.push(issue);
    }
    const dirs = await Promise.all(issues.map((i) => m.cloneWorkdir(`pub-${i}`)));
    const results = await Promise.all(issues.map((issue, k) => publish(dirs[k] as string, [issue])));
    expect(results.flatMap((r) => r.published.map((p) => p.id)).sort()).toEqual([
      'count-vowels',
      'greet',
      'word-stats',
    ]);
    expect(results.flatMap((r) => r.refused)).toEqual([]);
    expect((await publish(await m.cloneWorkdir('again'))).published).toEqual([]);

    const check = join(await m.cloneWorkdir('verify'), 'registry');
    const full = await readFullRegistry(check);
    expect(full.plugins.map((p) => [p.plugin_id, p.releases.length])).toEqual([
      ['count-vowels', 1],
      ['greet', 1],
      ['word-stats', 1],
    ]);
    const summary = JSON.parse(readFileSync(join(check, 'registry.json'), 'utf8')) as {
      layout: { kind: string };
      plugins: { plugin_id: string; latest: string }[];
    };
    expect(summary.layout.kind).toBe('sharded');
    expect(summary.plugins.map((p) => p.plugin_id)).toEqual(['count-vowels', 'greet', 'word-stats']);
    const log = await simpleGit(m.origin).log(['main']);
    expect(log.all.filter((c) => c.message.startsWith('registry: publish'))).toHaveLength(3);
    // init (1), shard (2), three publishes: timestamp v5, and the top-level targets was signed once for the shard.
    const ts = JSON.parse(readFileSync(join(check, 'metadata', 'timestamp.json'), 'utf8'));
    expect(ts.signed.version).toBe(5);
    expect(readFileSync(join(check, 'metadata', '2.targets.json'), 'utf8')).toMatch(/succinct_roles/);
    expect(() => readFileSync(join(check, 'metadata', '3.targets.json'))).toThrow();
  });

  it("mirror sync's shrink guard reads the sharded summary", async () => {
    const git = simpleGit(m.workdir);
    await git.fetch('origin', 'main');
    await git.checkout(['-f', '-B', 'main', 'origin/main']);
    expect(await mirrorSync({ workdir: m.workdir })).toMatchObject({ pushed: true, after: 3 });
    // A summary that lost two of three entries: refused, the mirror keeps what it had.
    const file = join(m.workdir, 'registry', 'registry.json');
    const summary = JSON.parse(readFileSync(file, 'utf8')) as { plugins: unknown[] };
    writeFileSync(file, JSON.stringify({ ...summary, plugins: summary.plugins.slice(0, 1) }));
    await git.add('registry').commit('lose two');
    await git.push('origin', 'main');
    const head = await simpleGit(m.gitee).revparse(['main']);
    await expect(mirrorSync({ workdir: m.workdir })).rejects.toMatchObject({ code: 'E_MIRROR_SHRINK' });
    expect(await simpleGit(m.gitee).revparse(['main'])).toBe(head);
  });
});
