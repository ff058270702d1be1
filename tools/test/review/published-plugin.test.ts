import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake2b512, formatTrustedComment, parseSecretKey, signPrehashed } from '@wharf/client';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/github/fetch-release.js';
import { handleComment } from '../../src/publish-bot/approve.js';
import { readRegistry } from '../../src/registry/store.js';
import { BOT } from './github-stub.js';
import {
  createMarket,
  EXAMPLES,
  issueRef,
  MAINTAINER,
  MARKET,
  type Market,
  publishMarket,
  reviewAndPost,
} from './market-fixture.js';

// What the registry pins on first publish (version bytes, repository id) and how review and publish defend it.
const key = parseSecretKey(readFileSync(join(EXAMPLES, 'keys', 'example.key'), 'utf8'));
const ref = issueRef;

/** count-vowels at `version`, with `salt` appended as a custom section so the bytes differ, signed and bound. */
function release(version: string, salt: number): Record<string, Uint8Array> {
  const base = readFileSync(join(EXAMPLES, 'count-vowels', 'plugin.wasm'));
  const wasm = new Uint8Array(Buffer.concat([base, Buffer.from([0, 3, 1, 0x78, salt])])); // custom section "x"
  const manifest = { ...JSON.parse(readFileSync(join(EXAMPLES, 'count-vowels', 'plugin.json'), 'utf8')), version };
  const sha256 = sha256Hex(wasm);
  const sig = signPrehashed(blake2b512(wasm), key, formatTrustedComment({ id: 'count-vowels', version, sha256 }));
  return {
    'plugin.wasm': wasm,
    'plugin.wasm.minisig': new TextEncoder().encode(sig),
    'plugin.json': new TextEncoder().encode(JSON.stringify(manifest)),
  };
}

describe('after a plugin is published', () => {
  let m: Market;
  const publish = () => publishMarket(m);
  async function reviewApprove(
    issue: number,
  ): Promise<{ passed: boolean; checks: { id: string; status: string; message: string }[] }> {
    const report = await reviewAndPost(m, issue);
    if (report.passed) {
      const c = m.stub.addComment(MARKET, issue, MAINTAINER, `/approve ${report.digests.wasm_sha256.slice(0, 12)}`);
      await handleComment(m.gh, ref(issue), c, m.maintainers, BOT.login);
    }
    return report;
  }
  const setRelease = (tag: string, assets: Record<string, Uint8Array>, repoId?: number) => {
    const r = m.stub.repos.get('alice/count-vowels');
    if (!r) throw new Error('no repo');
    r.releases[tag] = assets;
    r.trees[tag] = r.trees['v0.1.0'] ?? {};
    if (repoId !== undefined) r.id = repoId;
  };

  beforeAll(async () => {
    m = await createMarket();
    m.addExampleRelease('count-vowels');
    await reviewApprove(m.submit('count-vowels'));
    expect((await publish()).published).toHaveLength(1);
    await simpleGit(m.workdir).pull('origin', 'main');
  });
  afterAll(async () => m?.close());

  it('review refuses different bytes for the published version (E_VERSION_IMMUTABLE)', async () => {
    setRelease('v0.1.0', release('0.1.0', 1));
    const report = await reviewApprove(m.submit('count-vowels'));
    expect(report.passed).toBe(false);
    expect(report.checks.find((c) => c.id === 'version.immutable')?.message).toMatch(/^E_VERSION_IMMUTABLE/);
  });

  it('review refuses a new version from a recreated repository (E_REPO_ID_MISMATCH)', async () => {
    setRelease('v0.2.0', release('0.2.0', 2), 999);
    const report = await reviewApprove(m.submit('count-vowels', { tag: 'v0.2.0' }));
    expect(report.checks.find((c) => c.id === 'repo.id')?.message).toMatch(/^E_REPO_ID_MISMATCH/);
    expect(report.passed).toBe(false);
  });

  it('publish refuses when the repository is recreated between approval and publish, and pushes nothing', async () => {
    const repo = m.stub.repos.get('alice/count-vowels');
    const pinned = (await readRegistry(join(m.workdir, 'registry'))).registry.plugins[0]?.repo_id as number;
    setRelease('v0.3.0', release('0.3.0', 3), pinned);
    const issue = m.submit('count-vowels', { tag: 'v0.3.0' });
    expect((await reviewApprove(issue)).passed).toBe(true);
    if (repo) repo.id = 1234; // deleted and re-created under the same name after the approval
    const head = await simpleGit(m.origin).revparse(['main']);
    const r = await publish();
    expect(r.published).toEqual([]);
    expect(r.refused).toEqual(expect.arrayContaining([expect.objectContaining({ issue, code: 'E_REPO_ID_MISMATCH' })]));
    expect(await simpleGit(m.origin).revparse(['main'])).toBe(head);
  });
});
