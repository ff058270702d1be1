// README.md at the tag travels with the release: the review bot keeps it (size-capped, clean text) and
// `wharf-admin add --readme` does the same by hand; the catalog renders it (test/site/site.test.ts).
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleComment } from '../../src/publish-bot/approve.js';
import { README_MAX } from '../../src/registry/add-release.js';
import { readRegistry } from '../../src/registry/store.js';
import { BOT } from './github-stub.js';
import {
  createMarket,
  issueRef,
  MAINTAINER,
  MARKET,
  type Market,
  publishMarket,
  reviewAndPost,
} from './market-fixture.js';

describe('the review bot keeps README.md from the repository at the tag', () => {
  let m: Market;
  const readmes: Record<string, string> = {
    'count-vowels': '# Count vowels\r\n\r\nCounts **vowels**. See [docs](docs/usage.md).\r\n',
    greet: `# Greet\n\n${'x'.repeat(README_MAX + 1)}\n`, // over the cap: left out, the release still lands
    'word-stats': '# Word stats\n\nText with a bidi override \u202e here.\n', // refused text: left out
  };

  beforeAll(async () => {
    m = await createMarket();
    for (const [name, text] of Object.entries(readmes)) {
      m.addExampleRelease(name);
      const repo = m.stub.repos.get(`alice/${name}`);
      if (!repo?.trees['v0.1.0']) throw new Error('no tree');
      repo.trees['v0.1.0']['README.md'] = text;
      const issue = m.submit(name);
      const report = await reviewAndPost(m, issue);
      expect(report.passed, name).toBe(true);
      const c = m.stub.addComment(MARKET, issue, MAINTAINER, `/approve ${report.digests.wasm_sha256.slice(0, 12)}`);
      await handleComment(m.gh, issueRef(issue), c, m.maintainers, BOT.login);
    }
    expect((await publishMarket(m)).published).toHaveLength(3);
    await simpleGit(m.workdir).pull('origin', 'main');
  }, 120_000);
  afterAll(async () => m?.close());

  it('stores the README with the release, normalised (LF), and leaves out one over the cap or with bidi controls', async () => {
    const { registry } = await readRegistry(join(m.workdir, 'registry'));
    const readme = (id: string) => registry.plugins.find((p) => p.plugin_id === id)?.releases[0]?.readme;
    expect(readme('count-vowels')).toBe('# Count vowels\n\nCounts **vowels**. See [docs](docs/usage.md).\n');
    expect(readme('greet')).toBeUndefined();
    expect(readme('word-stats')).toBeUndefined();
    expect(registry.plugins.find((p) => p.plugin_id === 'greet')?.releases).toHaveLength(1);
  });
});
