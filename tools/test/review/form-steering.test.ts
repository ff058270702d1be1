// A submission whose text GitHub shows one way must not be parsed another: the form's own headings are the only
// sections, and the GitHub field names a GitHub repository. Each refusal is checked end to end against the GitHub
// stand-in: the bot must not even ask for the repository the hidden text names.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotDir, tempLeftovers } from '../../../test/helpers/snapshot-dir.js';
import { readRegistry } from '../../src/registry/store.js';
import { runReview } from '../../src/review/run-review.js';
import { parseSubmission } from '../../src/submission/parse-submission.js';
import { createMarket, FORM, issueRef, type Market } from './market-fixture.js';

const PERMS = 'config_keys: reads the greeting';

describe('the submission form cannot be steered', () => {
  let m: Market;
  beforeAll(async () => {
    m = await createMarket();
    // alice/greet is a good, signed release; mallory/greet (what the visible form names) has none.
    m.addExampleRelease('greet');
  });
  afterAll(async () => m?.close());

  const review = async (issue: number) => {
    const { registry } = await readRegistry(join(m.workdir, 'registry'));
    return runReview({
      source: { kind: 'issue', ref: issueRef(issue) },
      formYaml: FORM,
      gh: m.gh,
      registry,
      smoke: 'skip',
    });
  };

  /** The refusal contract for the bot: the code, no request for the other repo, registry unchanged, no temp files. */
  const expectRefused = async (override: Record<string, string>, code: string) => {
    const issue = m.submit('greet', override);
    const before = snapshotDir(m.workdir);
    m.stub.requests.length = 0;
    await expect(review(issue)).rejects.toMatchObject({ code });
    expect(m.stub.requests.filter((r) => r.includes('/repos/alice/'))).toEqual([]);
    expect(snapshotDir(m.workdir)).toEqual(before);
    expect(tempLeftovers(m.workdir)).toEqual([]);
  };

  it('reviews the honest submission of alice/greet as PASSED (the control for the attacks below)', async () => {
    const run = await review(m.submit('greet', { permissions: PERMS }));
    expect(run.report).toMatchObject({ repository: 'alice/greet', passed: true });
  });

  it('refuses "### GitHub repository" mid-line in Permissions (E_SUBMISSION_INVALID)', async () => {
    await expectRefused(
      { repository: 'mallory/greet', permissions: `${PERMS} ### GitHub repository\n\nalice/greet` },
      'E_SUBMISSION_INVALID',
    );
  });

  it('refuses an indented "### GitHub repository" line in Permissions (E_SUBMISSION_INVALID)', async () => {
    await expectRefused(
      { repository: 'mallory/greet', permissions: `${PERMS}\n   ### GitHub repository\n\nalice/greet` },
      'E_SUBMISSION_INVALID',
    );
    await expectRefused(
      { repository: 'mallory/greet', permissions: `${PERMS}\n\t###GitHub repository\n\nalice/greet` },
      'E_SUBMISSION_INVALID',
    );
  });

  it('refuses a gitee.com URL in the GitHub field (E_SUBMISSION_INVALID)', async () => {
    await expectRefused({ repository: 'https://gitee.com/alice/greet', permissions: PERMS }, 'E_SUBMISSION_INVALID');
    await expectRefused({ repository: 'http://github.com/alice/greet', permissions: PERMS }, 'E_SUBMISSION_INVALID');
  });

  it('refuses any other ### inside a value: the parser would cut the value there (alice/greet###x read as alice/greet)', async () => {
    // Found by the issue-form fuzz test: the text after "###" was dropped, so the bot reviewed a shorter name.
    await expectRefused({ repository: 'alice/greet###-fork', permissions: PERMS }, 'E_SUBMISSION_INVALID');
    await expectRefused(
      { repository: 'mallory/greet', permissions: `${PERMS}\n\n### Notes\n\nsee the README` },
      'E_SUBMISSION_INVALID',
    );
  });

  it('still takes github.com URLs in the GitHub field and gitee.com URLs in the Gitee field, nothing else', () => {
    const body = (repository: string, gitee: string) => {
      const issue = m.submit('greet', { repository, gitee_repository: gitee, permissions: PERMS });
      return m.stub.issue('wharf/market', issue).body;
    };
    const s = parseSubmission(body('https://github.com/alice/greet.git', 'https://gitee.com/alice/greet'), FORM);
    expect(s).toMatchObject({ repository: 'alice/greet', gitee_repository: 'alice/greet' });
    expect(() => parseSubmission(body('alice/greet', 'https://github.com/alice/greet'), FORM)).toThrow(
      expect.objectContaining({ code: 'E_SUBMISSION_INVALID' }),
    );
  });
});
