import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake2b512, formatTrustedComment, parseSecretKey, signPrehashed } from '@wharf/client';
import { isWharfError, type Registry } from '@wharf/schemas';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { sha256Hex } from '../../src/github/fetch-release.js';
import { handleComment } from '../../src/publish-bot/approve.js';
import { readRegistry } from '../../src/registry/store.js';
import { escapeMarkdown, extractReport, STICKY_MARKER } from '../../src/review/render-report.js';
import { reviewRelease } from '../../src/review/review-release.js';
import { postReview, postReviewError, runReview } from '../../src/review/run-review.js';
import { parseSubmission } from '../../src/submission/parse-submission.js';
import { runMain } from '../fixtures.js';
import { BOT } from './github-stub.js';
import {
  createMarket,
  EXAMPLES,
  FORM,
  issueRef,
  MAINTAINER,
  MARKET,
  type Market,
  publishMarket,
  reviewAndPost as reviewMarketIssue,
  STRANGER,
} from './market-fixture.js';

const ref = issueRef;

/** Undo escapeMarkdown the way GitHub's renderer does: backslash escapes and the four entities. */
function rendered(md: string): string {
  return md
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/&#64;/g, '@')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

async function reviewAndPost(m: Market, issue: number): Promise<string> {
  return (await reviewMarketIssue(m, issue)).digests.wasm_sha256;
}

const publish = publishMarket;

describe('review bot threats (DESIGN §8)', () => {
  let m: Market;
  beforeAll(async () => {
    m = await createMarket();
  });
  afterAll(async () => m?.close());

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the title names the literal GitHub expression syntax
  it('shows $(…), backticks and ${{ }} in issue text literally and runs nothing', async () => {
    const marker = join(m.root, 'PWNED');
    const payload = `MIT $(touch ${marker}) \`touch ${marker}\` \${{ 1+1 }} <img src=x> @everyone`;
    m.addExampleRelease('count-vowels');
    const issue = m.submit('count-vowels', { license: payload });
    try {
      const run = await runReview({
        source: { kind: 'issue', ref: ref(issue) },
        formYaml: FORM,
        gh: m.gh,
        smoke: 'skip',
      });
      await postReview(m.gh, ref(issue), run.report, BOT.login);
    } catch (e) {
      if (!isWharfError(e)) throw e;
      await postReviewError(m.gh, ref(issue), e.code, e.message, BOT.login);
    }
    const posted = m.stub.issue(MARKET, issue).comments[0]?.body ?? '';
    expect(posted.startsWith(STICKY_MARKER)).toBe(true);
    const visible = posted.replace(/<!--[\s\S]*?-->/g, '');
    // No live code span, substitution, expression, HTML tag or mention survives in what GitHub renders …
    const live = visible.replace(/\\./g, '');
    expect(live).not.toMatch(/\$\(|\$\{\{|<img|@everyone/);
    // … yet the reader sees the exact text.
    expect(rendered(visible)).toContain(payload.slice(4));
    expect(existsSync(marker)).toBe(false);
    expect(m.stub.labels(MARKET, issue)).toContain('changes-requested');
  });

  it('refuses a 64 KiB body before parsing it', () => {
    const body = `### Plugin id\n\ncount-vowels\n\n### Permissions requested\n\n${'a'.repeat(64 * 1024)}`;
    const t0 = performance.now();
    expect(() => parseSubmission(body, FORM)).toThrow(expect.objectContaining({ code: 'E_TOO_LARGE' }));
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('refuses a repeated field heading smuggled inside a textarea', () => {
    const body = `### Plugin id\n\ncount-vowels\n\n### Permissions requested\n\nnone\n\n### Plugin id\n\nevil-plugin\n`;
    expect(() => parseSubmission(body, FORM)).toThrow(expect.objectContaining({ code: 'E_SUBMISSION_INVALID' }));
  });

  it('refuses /approve from a non-maintainer, politely, and changes no label', async () => {
    m.addExampleRelease('greet');
    const issue = m.submit('greet');
    const sha = await reviewAndPost(m, issue);
    const before = m.stub.labels(MARKET, issue);
    const c = m.stub.addComment(MARKET, issue, STRANGER, `/approve ${sha.slice(0, 12)}`);
    const r = await handleComment(m.gh, ref(issue), c, m.maintainers, BOT.login);
    expect(r).toMatchObject({ action: 'refused', code: 'E_NOT_MAINTAINER' });
    expect(m.stub.labels(MARKET, issue)).toEqual(before);
    expect(m.stub.issue(MARKET, issue).comments.at(-1)?.body).toMatch(/^Thanks, stranger, but only maintainers/);
    // and an approval naming other bytes is refused too
    const wrong = m.stub.addComment(MARKET, issue, MAINTAINER, '/approve 0123456789abcdef');
    expect(await handleComment(m.gh, ref(issue), wrong, m.maintainers, BOT.login)).toMatchObject({
      code: 'E_DIGEST_CHANGED',
    });
    // a label added by hand is not an approval: publish refuses without a maintainer's matching /approve
    await m.gh.rest.issues.addLabels({ owner: 'wharf', repo: 'market', issue_number: issue, labels: ['approved'] });
    const head = await simpleGit(m.origin).revparse(['main']);
    const p = await publish(m, { issues: [issue] });
    expect(p.refused).toEqual([expect.objectContaining({ issue, code: 'E_NOT_MAINTAINER' })]);
    expect(await simpleGit(m.origin).revparse(['main'])).toBe(head);
  });

  it('refuses to publish a release asset replaced after review (E_DIGEST_CHANGED) and leaves both remotes as they were', async () => {
    m.addExampleRelease('word-stats');
    const issue = m.submit('word-stats');
    const sha = await reviewAndPost(m, issue);
    const c = m.stub.addComment(MARKET, issue, MAINTAINER, `/approve ${sha.slice(0, 16)}`);
    expect((await handleComment(m.gh, ref(issue), c, m.maintainers, BOT.login)).action).toBe('approved');
    const assets = m.stub.repos.get('alice/word-stats')?.releases['v0.1.0'];
    if (!assets) throw new Error('no release');
    const swapped = new Uint8Array(assets['plugin.wasm'] as Uint8Array);
    swapped[swapped.length - 1] ^= 1;
    assets['plugin.wasm'] = swapped;
    const heads = [await simpleGit(m.origin).revparse(['main']), await simpleGit(m.gitee).revparse(['main'])];
    const before = readFileSync(join(m.workdir, 'registry', 'registry.json'));
    const r = await publish(m, { issues: [issue] });
    expect(r.published).toEqual([]);
    expect(r.refused).toEqual([expect.objectContaining({ issue, code: 'E_DIGEST_CHANGED' })]);
    expect([await simpleGit(m.origin).revparse(['main']), await simpleGit(m.gitee).revparse(['main'])]).toEqual(heads);
    expect(readFileSync(join(m.workdir, 'registry', 'registry.json'))).toEqual(before);
    expect((await simpleGit(m.workdir).status()).files).toEqual([]); // nothing left behind in the bot's clone
    expect(m.stub.labels(MARKET, issue)).toContain('changes-requested');
    expect(m.stub.labels(MARKET, issue)).not.toContain('approved');
  });

  it('refuses a git-option-looking id with E_ID_INVALID and never hands it to git', async () => {
    const bin = join(m.root, 'git-spy');
    const log = join(m.root, 'git-args.log');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec /usr/bin/git "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      const issue = m.submit('count-vowels', { plugin_id: '--upload-pack=x' });
      await expect(
        runReview({ source: { kind: 'issue', ref: ref(issue) }, formYaml: FORM, gh: m.gh, smoke: 'skip' }),
      ).rejects.toMatchObject({ code: 'E_ID_INVALID' });
      await m.gh.rest.issues.addLabels({ owner: 'wharf', repo: 'market', issue_number: issue, labels: ['approved'] });
      const r = await publish(m, { issues: [issue] });
      expect(r.refused).toEqual([expect.objectContaining({ issue, code: 'E_ID_INVALID' })]);
      // git did run in this process (the spy works) but never saw the id
      await simpleGit(m.workdir).status();
      const calls = readFileSync(log, 'utf8');
      expect(calls).toContain('status');
      expect(calls).not.toContain('upload-pack');
    } finally {
      process.env.PATH = oldPath;
    }
  });
});

describe('WASM that is not an Extism plugin fails the review', () => {
  const key = parseSecretKey(readFileSync(join(EXAMPLES, 'keys', 'example.key'), 'utf8'));
  const manifest = JSON.parse(readFileSync(join(EXAMPLES, 'count-vowels', 'plugin.json'), 'utf8'));

  async function signedModule(importLine: string) {
    const wabt = await wabtInit();
    const mod = wabt.parseWat(
      'bad.wat',
      `(module ${importLine} (memory (export "memory") 1 2) (func (export "count_vowels") (result i32) i32.const 0))`,
    );
    const wasm = new Uint8Array(mod.toBinary({}).buffer);
    mod.destroy();
    const sha256 = sha256Hex(wasm);
    const minisig = signPrehashed(
      blake2b512(wasm),
      key,
      formatTrustedComment({ id: manifest.id, version: manifest.version, sha256 }),
    );
    return {
      wasm,
      minisig: new TextEncoder().encode(minisig),
      manifest: new TextEncoder().encode(JSON.stringify(manifest)),
    };
  }

  it.each([
    ['env.abort', '(import "env" "abort" (func (param i32 i32 i32 i32)))'],
    ['an unknown namespace', '(import "evil:runtime/api" "spawn" (func))'],
  ])('%s → wasm.imports fails with E_WASM_IMPORT and the report does not pass', async (_what, line) => {
    const input = await signedModule(line);
    const { report } = reviewRelease({ ...input, smoke: { wasm_sha256: sha256Hex(input.wasm), results: [] } });
    expect(report.checks.find((c) => c.id === 'signature.binding')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'wasm.imports')?.message).toMatch(/^E_WASM_IMPORT: /);
    expect(report.passed).toBe(false);
    expect(report.security_score).toBeLessThan(80);
  });
});

describe('three approvals published concurrently', () => {
  let m: Market;
  beforeAll(async () => {
    m = await createMarket();
  });
  afterAll(async () => m?.close());

  it('lands all three, each exactly once', async () => {
    const issues: number[] = [];
    for (const name of ['count-vowels', 'greet', 'word-stats']) {
      m.addExampleRelease(name);
      const issue = m.submit(name);
      const sha = await reviewAndPost(m, issue);
      const c = m.stub.addComment(MARKET, issue, MAINTAINER, `/approve ${sha.slice(0, 12)}`);
      expect((await handleComment(m.gh, ref(issue), c, m.maintainers, BOT.login)).action).toBe('approved');
      issues.push(issue);
    }
    const dirs = await Promise.all(issues.map((i) => m.cloneWorkdir(`pub-${i}`)));
    const results = await Promise.all(
      issues.map((issue, k) => publish(m, { workdir: dirs[k] as string, issues: [issue] })),
    );
    expect(results.flatMap((r) => r.published.map((p) => p.id)).sort()).toEqual([
      'count-vowels',
      'greet',
      'word-stats',
    ]);
    expect(results.flatMap((r) => r.refused)).toEqual([]);
    // A final reconcile of everything finds nothing left to do.
    const again = await publish(m);
    expect(again.published).toEqual([]);

    const check = await m.cloneWorkdir('verify');
    const { registry } = (await readRegistry(join(check, 'registry'))) as { registry: Registry };
    expect(registry.plugins.map((p) => [p.plugin_id, p.releases.length]).sort()).toEqual([
      ['count-vowels', 1],
      ['greet', 1],
      ['word-stats', 1],
    ]);
    const log = await simpleGit(m.origin).log(['main']);
    const publishes = log.all.filter((c) => c.message.startsWith('registry: publish'));
    expect(publishes).toHaveLength(3);
    // The signed index is the latest registry.json: targets version = 1 (init) + 3 publishes.
    const ts = JSON.parse(readFileSync(join(check, 'registry', 'metadata', 'timestamp.json'), 'utf8'));
    expect(ts.signed.version).toBe(4);
    for (const i of issues) expect(m.stub.labels(MARKET, i)).toContain('published');
    expect(escapeMarkdown('x')).toBe('x');
    expect(extractReport('nothing')).toBeUndefined();
  });
});

describe('wharf-admin approve reads the event file, not the shell', () => {
  let m: Market;
  beforeAll(async () => {
    m = await createMarket();
  });
  afterAll(async () => m?.close());

  it('refuses a stranger with E_NOT_MAINTAINER through the CLI', async () => {
    m.addExampleRelease('greet');
    const issue = m.submit('greet');
    const sha = await reviewAndPost(m, issue);
    const event = join(m.root, 'event.json');
    writeFileSync(
      event,
      JSON.stringify({
        repository: { full_name: MARKET },
        issue: { number: issue },
        comment: { body: `/approve ${sha.slice(0, 12)}`, user: { id: STRANGER.id, login: '$(id)`x`' } },
      }),
    );
    const maintainers = join(m.root, 'MAINTAINERS');
    writeFileSync(maintainers, `${MAINTAINER.id} ${MAINTAINER.login}\n`);
    const { code, stdout } = await runMain(
      ['--json', 'approve', '--event', event, '--maintainers', maintainers, '--api-url', m.stub.url],
      { GITHUB_TOKEN: 'bot-token' },
    );
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ action: 'refused', code: 'E_NOT_MAINTAINER' });
    expect(m.stub.labels(MARKET, issue)).not.toContain('approved');
    expect(m.stub.issue(MARKET, issue).comments.at(-1)?.body).toContain(
      'Thanks, \\$\\(id\\)\\`x\\`, but only maintainers',
    );
  });
});
