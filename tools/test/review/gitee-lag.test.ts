import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotDir } from '../../../test/helpers/snapshot-dir.js';
import { handleComment } from '../../src/publish-bot/approve.js';
import { redactUrls } from '../../src/publish-bot/git-publish.js';
import { runMain, tempFiles } from '../fixtures.js';
import { BOT } from './github-stub.js';
import { createMarket, issueRef, MAINTAINER, MARKET, type Market, reviewAndPost } from './market-fixture.js';

// DESIGN §8 threat row "Gitee push failure": the Gitee remote (a bare repo whose pre-receive hook refuses every
// push) is down while a submission is published. GitHub gets the publish, the output says the mirror lags
// (E_MIRROR_LAG), Gitee is left exactly as it was, and the next `wharf-admin mirror sync` catches up.
describe('a Gitee push failure during publish', () => {
  let m: Market;
  let issue: number;
  const hook = () => join(m.gitee, 'hooks', 'pre-receive');
  const env = () => ({ GITHUB_API_URL: m.stub.url, GITHUB_TOKEN: 'bot-token' });
  const head = (bare: string) => simpleGit(bare).revparse(['main']);

  beforeAll(async () => {
    m = await createMarket();
    m.addExampleRelease('count-vowels');
    issue = m.submit('count-vowels');
    const report = await reviewAndPost(m, issue);
    const c = m.stub.addComment(MARKET, issue, MAINTAINER, `/approve ${report.digests.wasm_sha256.slice(0, 12)}`);
    expect((await handleComment(m.gh, issueRef(issue), c, m.maintainers, BOT.login)).action).toBe('approved');
    writeFileSync(hook(), '#!/bin/sh\necho "gitee: service unavailable" >&2\nexit 1\n', { mode: 0o755 });
  });
  afterAll(async () => m?.close());

  it('publishes to GitHub, reports that Gitee lags, and leaves Gitee untouched', async () => {
    const gitee = snapshotDir(m.gitee);
    const originBefore = await head(m.origin);
    const { code, stdout, stderr } = await runMain(
      [
        '--json',
        'publish-submissions',
        '--repo',
        MARKET,
        '--workdir',
        m.workdir,
        '--keys',
        m.keysDir,
        '--gitee-api',
        m.stub.giteeApi,
      ],
      env(),
    );
    expect(code, stderr).toBe(0); // the publish succeeded; the lag is reported, not fatal
    const r = JSON.parse(stdout);
    expect(r.published).toEqual([{ issue, id: 'count-vowels', version: '0.1.0' }]);
    expect(r.mirror).toMatchObject({ remote: 'gitee', code: 'E_MIRROR_LAG', behind: 1 });
    expect(r.mirror.error).toMatch(/service unavailable/);
    expect(r.mirror.error).toMatch(/mirror sync/);

    expect(await head(m.origin)).not.toBe(originBefore);
    expect((await simpleGit(m.origin).log(['main'])).latest?.message).toBe(
      `registry: publish count-vowels@0.1.0 (#${issue})`,
    );
    expect(m.stub.labels(MARKET, issue)).toContain('published');
    expect(snapshotDir(m.gitee)).toEqual(gitee);
    expect(await tempFiles(join(m.workdir, 'registry'))).toEqual([]);
  });

  it('mirror sync fails loudly while Gitee is down, then catches up once it is back', async () => {
    const gitee = snapshotDir(m.gitee);
    const down = await runMain(['--json', 'mirror', 'sync', '--workdir', m.workdir], env());
    expect(down.code).toBe(1);
    expect(JSON.parse(down.stdout).error.code).toBe('E_MIRROR_LAG');
    expect(JSON.parse(down.stdout).error.message).toMatch(/1 commit\(s\) behind origin\/main/);
    expect(snapshotDir(m.gitee)).toEqual(gitee);

    rmSync(hook());
    const up = await runMain(['--json', 'mirror', 'sync', '--workdir', m.workdir], env());
    expect(up.code, up.stdout).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ pushed: true, after: 1 });
    expect(await head(m.gitee)).toBe(await head(m.origin));
    // the same signed tree, byte for byte
    expect(await simpleGit(m.gitee).revparse(['main^{tree}'])).toBe(
      await simpleGit(m.origin).revparse(['main^{tree}']),
    );
  });

  it('never prints a credential from a remote URL', () => {
    expect(redactUrls("fatal: unable to access 'https://oauth2:s3cret@gitee.com/o/r.git/'")).toBe(
      "fatal: unable to access 'https://***@gitee.com/o/r.git/'",
    );
  });
});
