import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/github/fetch-release.js';
import { giteeMirrorUrl } from '../../src/github/gitee.js';
import { renderIssueBody } from '../../src/submission/issue-form.js';
import { runMain } from '../fixtures.js';
import { createMarket, EXAMPLE_KEY_LINE, FORM, type Market, REPO_ROOT } from './market-fixture.js';

describe('Gitee mirror URLs and the --issue-body mode', () => {
  let m: Market;
  beforeAll(async () => {
    m = await createMarket();
    m.addExampleRelease('greet');
  });
  afterAll(async () => m?.close());

  it('takes a Gitee v5 release URL only when its bytes are the reviewed ones', async () => {
    const repo = m.stub.repos.get('alice/greet');
    const wasm = repo?.releases['v0.1.0']?.['plugin.wasm'] as Uint8Array;
    const url = await giteeMirrorUrl('alice/greet', 'v0.1.0', 'plugin.wasm', sha256Hex(wasm), {
      apiBase: m.stub.giteeApi,
      cap: 1 << 20,
    });
    expect(url).toBe(`${m.stub.url}/gitee/download/alice/greet/releases/download/v0.1.0/plugin.wasm`);
    const gitee = repo?.gitee?.['v0.1.0'];
    if (gitee) gitee['plugin.wasm'] = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    await expect(
      giteeMirrorUrl('alice/greet', 'v0.1.0', 'plugin.wasm', sha256Hex(wasm), {
        apiBase: m.stub.giteeApi,
        cap: 1 << 20,
      }),
    ).rejects.toMatchObject({ code: 'E_DIGEST_CHANGED' });
    await expect(
      giteeMirrorUrl('alice/greet', 'v9.9.9', 'plugin.wasm', sha256Hex(wasm), {
        apiBase: m.stub.giteeApi,
        cap: 1 << 20,
      }),
    ).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('wharf-admin review --issue-body fetches the named release through the API, never a URL from the text', async () => {
    const body = renderIssueBody(FORM, {
      plugin_id: 'greet',
      repository: 'alice/greet',
      tag: '0.1.0', // X.Y.Z finds the vX.Y.Z release
      public_key: EXAMPLE_KEY_LINE,
      category: 'entertainment',
      license: 'MIT',
      permissions: 'config_keys: reads greeting — see http://127.0.0.1:1/never-fetched',
    });
    const file = join(m.root, 'body.md');
    writeFileSync(file, body);
    m.stub.requests.length = 0;
    const { code, stdout } = await runMain(
      [
        '--json',
        'review',
        '--issue-body',
        file,
        '--no-smoke',
        '--registry',
        join(m.workdir, 'registry'),
        '--form',
        join(REPO_ROOT, '.github', 'ISSUE_TEMPLATE', 'plugin-submission.yml'),
      ],
      { GITHUB_API_URL: m.stub.url, GITHUB_TOKEN: 'bot-token' },
    );
    expect(code, stdout).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ plugin_id: 'greet', tag: 'v0.1.0', passed: true });
    expect(m.stub.requests).toContain('GET /repos/alice/greet/releases/tags/v0.1.0');
    expect(m.stub.requests.some((r) => r.includes('never-fetched'))).toBe(false);
  });
});
