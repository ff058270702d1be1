import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WharfClient } from '@wharf/client';
import { type Registry, validateReport } from '@wharf/schemas';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleComment } from '../../src/publish-bot/approve.js';
import { readRegistry } from '../../src/registry/store.js';
import { extractReport } from '../../src/review/render-report.js';
import { postReview, runReview } from '../../src/review/run-review.js';
import { startStaticServer } from '../../src/serve/static-server.js';
import { BOT } from './github-stub.js';
import {
  checkout,
  createMarket,
  FORM,
  MAINTAINER,
  MARKET,
  type Market,
  publishMarket,
  REPO_ROOT,
} from './market-fixture.js';

// The whole path with real parts and no network: issue → review (smoke run in a token-free child) → sticky report
// and labels → /approve by a maintainer → publish → both bare remotes carry the signed registry → `wharf install`
// through a static server of each remote's checkout.
describe('submission → review → approve → publish → install', () => {
  let m: Market;
  let issue: number;
  beforeAll(async () => {
    m = await createMarket();
  });
  afterAll(async () => m?.close());

  it('reviews the issue, posts one sticky report and labels it', async () => {
    m.addExampleRelease('count-vowels');
    issue = m.submit('count-vowels');
    const ref = { owner: 'wharf', repo: 'market', issue };
    const { registry } = await readRegistry(join(m.workdir, 'registry'));
    const run = await runReview({
      source: { kind: 'issue', ref },
      formYaml: FORM,
      gh: m.gh,
      registry,
      smoke: 'isolated',
    });
    expect(validateReport(run.report).ok).toBe(true);
    const failed = run.report.checks.filter((c) => c.status === 'fail');
    expect(failed).toEqual([]);
    expect(run.report.passed).toBe(true);
    expect(run.report.checks.find((c) => c.id === 'smoke.run')?.status).toBe('pass');
    expect(run.report.checks.find((c) => c.id === 'key.repo')?.status).toBe('pass');
    expect(run.report.checks.find((c) => c.id === 'submission.owner')?.status).toBe('pass');
    await postReview(m.gh, ref, run.report, BOT.login);
    await postReview(m.gh, ref, run.report, BOT.login); // an edit re-runs the review: still one comment
    const comments = m.stub.issue(MARKET, issue).comments;
    expect(comments).toHaveLength(1);
    expect(extractReport(comments[0]?.body ?? '')?.digests.wasm_sha256).toBe(run.report.digests.wasm_sha256);
    expect(m.stub.labels(MARKET, issue)).toEqual(['needs-review', 'plugin-submission']);
  });

  it('runs the same review through the wharf-admin bin in --issue mode (token and API URL from the environment)', async () => {
    // async spawn: the GitHub stand-in lives in this process, so a blocking spawnSync would deadlock it
    const child = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'tools', 'bin', 'wharf-admin.js'),
        '--json',
        'review',
        '--issue',
        String(issue),
        '--repo',
        MARKET,
        '--no-smoke',
        '--registry',
        join(m.workdir, 'registry'),
        '--form',
        join(REPO_ROOT, '.github', 'ISSUE_TEMPLATE', 'plugin-submission.yml'),
      ],
      { env: { ...process.env, GITHUB_API_URL: m.stub.url, GITHUB_TOKEN: 'bot-token' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const status = await new Promise<number | null>((ok) => child.on('close', ok));
    expect(status, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ plugin_id: 'count-vowels', passed: true, issue });
  });

  it('publishes after a maintainer approves, to both remotes, and the client installs from each', async () => {
    const ref = { owner: 'wharf', repo: 'market', issue };
    const report = extractReport(m.stub.issue(MARKET, issue).comments[0]?.body ?? '');
    const prefix = report?.digests.wasm_sha256.slice(0, 12) ?? '';
    const c = m.stub.addComment(MARKET, issue, MAINTAINER, `/approve ${prefix}`);
    const outcome = await handleComment(m.gh, ref, c, m.maintainers, BOT.login);
    expect(outcome.action).toBe('approved');
    expect(m.stub.labels(MARKET, issue)).toContain('approved');

    const r = await publishMarket(m);
    expect(r.refused).toEqual([]);
    expect(r.published).toEqual([{ issue, id: 'count-vowels', version: '0.1.0' }]);
    expect(r.mirror).toEqual({ remote: 'gitee' });
    expect(m.stub.labels(MARKET, issue)).toEqual(['plugin-submission', 'published']);
    expect(m.stub.issue(MARKET, issue).state).toBe('closed');
    expect(m.stub.issue(MARKET, issue).comments.at(-1)?.body).toContain('wharf install count-vowels@0.1.0');

    for (const bare of [m.origin, m.gitee]) {
      const log = await simpleGit(bare).log(['main']);
      expect(log.latest?.message).toBe(`registry: publish count-vowels@0.1.0 (#${issue})`);
      const dir = await checkout(bare, join(m.root, `checkout-${bare.endsWith('gitee.git') ? 'gitee' : 'github'}`));
      const reg = JSON.parse(readFileSync(join(dir, 'registry', 'registry.json'), 'utf8')) as Registry;
      const plugin = reg.plugins.find((p) => p.plugin_id === 'count-vowels');
      expect(plugin?.repo_id).toBe(m.stub.repos.get('alice/count-vowels')?.id);
      expect(plugin?.releases[0]?.artifact.urls).toHaveLength(2); // GitHub, then the verified Gitee mirror
      expect(plugin?.releases[0]?.review?.issue).toBe(issue);

      const server = await startStaticServer(join(dir, 'registry'), { port: 0 });
      const home = mkdtempSync(join(tmpdir(), 'wharf-home-'));
      try {
        const client = new WharfClient({ home });
        await client.addSource({ alias: 'market', url: server.url, rootSha256: m.rootSha256 });
        const refreshed = await client.refresh();
        expect(refreshed.failed).toEqual([]);
        const inst = await client.install('count-vowels');
        expect(inst.status).toBe('installed');
        const out = await client.run('count-vowels', 'count_vowels', 'Hello World');
        expect(JSON.parse(Buffer.from(out).toString())).toEqual({ count: 3 });
      } finally {
        await server.close();
        rmSync(home, { recursive: true, force: true });
      }
    }
  });

  it('a second reconcile publishes nothing again', async () => {
    const before = await simpleGit(m.origin).revparse(['main']);
    const r = await publishMarket(m, { giteeApi: undefined });
    expect(r.published).toEqual([]);
    expect(await simpleGit(m.origin).revparse(['main'])).toBe(before);
  });
});
