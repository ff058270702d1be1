import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { snapshotDir } from '../../../test/helpers/snapshot-dir.js';
import { createGitHub } from '../../src/github/octokit.js';
import { runMain, tempFiles } from '../fixtures.js';
import { createMarket, MARKET, type Market, REPO_ROOT } from './market-fixture.js';

// DESIGN §8 threat row "API rate limits": a 403/429 from GitHub with retry-after (secondary limit) or
// x-ratelimit-reset (primary limit) is waited out, a bounded number of times and for a bounded time; past the bound
// the run stops with E_RATE_LIMITED, having written nothing.
describe('GitHub rate limits', () => {
  let m: Market;
  let issue: number;
  let issuePath: RegExp;
  beforeAll(async () => {
    m = await createMarket();
    m.addExampleRelease('count-vowels');
    issue = m.submit('count-vowels');
    issuePath = new RegExp(`^GET /repos/${MARKET}/issues/${issue}$`);
  });
  afterAll(async () => m?.close());
  beforeEach(() => {
    m.stub.faults = [];
    m.stub.requests.length = 0;
    m.stub.requestTimes.length = 0;
  });

  // The real CLI path: the token and API URL from the environment, throttling on (as in Actions).
  const review = (out?: string) =>
    runMain(
      [
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
        ...(out ? ['--out', out] : []),
      ],
      { GITHUB_API_URL: m.stub.url, GITHUB_TOKEN: 'bot-token' },
    );
  const hits = () => m.stub.requests.map((r, i) => [r, m.stub.requestTimes[i] as number] as const);
  const issueHits = () => hits().filter(([r]) => issuePath.test(r));

  it.each([
    ['a secondary limit (403, retry-after)', { kind: 'secondary', status: 403, after: 1 }],
    ['a secondary limit (429, retry-after)', { kind: 'secondary', status: 429, after: 1 }],
    ['a primary limit (403, x-ratelimit-remaining 0, x-ratelimit-reset)', { kind: 'primary', status: 403, after: 1 }],
  ] as const)('waits out %s and then reviews', async (_name, fault) => {
    m.stub.faults = [{ match: issuePath, ...fault }];
    const { code, stdout } = await review();
    expect(code, stdout).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ plugin_id: 'count-vowels', passed: true });
    const [first, second, ...more] = issueHits();
    expect(more).toEqual([]);
    // the retry came no sooner than GitHub asked (a lower bound holds however slow the machine is)
    expect((second?.[1] ?? 0) - (first?.[1] ?? 0)).toBeGreaterThanOrEqual(fault.after * 1000 - 50);
  });

  it('refuses to wait longer than the bound: E_RATE_LIMITED at once, nothing written', async () => {
    const registry = join(m.workdir, 'registry');
    const before = snapshotDir(m.root);
    m.stub.faults = [{ match: issuePath, kind: 'secondary', after: 3600 }];
    const out = join(m.root, 'report.json');
    const { code, stdout } = await review(out);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).error.code).toBe('E_RATE_LIMITED');
    expect(JSON.parse(stdout).error.message).toMatch(/retry after 3600 s/);
    expect(issueHits()).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
    expect(snapshotDir(m.root)).toEqual(before);
    expect(await tempFiles(registry)).toEqual([]);
  });

  it('a primary limit whose reset is an hour away is not waited for either', async () => {
    m.stub.faults = [{ match: issuePath, kind: 'primary', status: 429, after: 3600 }];
    const { code, stdout } = await review();
    expect(JSON.parse(stdout).error.code).toBe('E_RATE_LIMITED');
    expect(code).toBe(1);
    expect(issueHits()).toHaveLength(1);
  });

  it('waits at most `retries` times, then E_RATE_LIMITED', async () => {
    const waits: number[] = [];
    const gh = createGitHub({ baseUrl: m.stub.url, token: 'bot-token', retries: 2, onWait: (s) => waits.push(s) });
    m.stub.faults = [{ match: issuePath, kind: 'secondary', after: 1, times: 99 }];
    await expect(gh.rest.issues.get({ owner: 'wharf', repo: 'market', issue_number: issue })).rejects.toMatchObject({
      code: 'E_RATE_LIMITED',
    });
    expect(waits).toEqual([1, 1]);
    expect(issueHits()).toHaveLength(3);
  });

  it('a 403 that is not a rate limit is not retried and stays an HTTP error', async () => {
    const gh = createGitHub({ baseUrl: m.stub.url, token: 'bot-token' });
    // the stand-in answers a PATCH of someone else's comment with a plain 403
    const c = m.stub.addComment(MARKET, issue, { id: 1, login: 'someone' }, 'hi');
    await expect(
      gh.rest.issues.updateComment({ owner: 'wharf', repo: 'market', comment_id: c.id, body: 'x' }),
    ).rejects.toMatchObject({ status: 403 });
    expect(m.stub.requests.filter((r) => r.startsWith('PATCH'))).toHaveLength(1);
  });
});
