import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardWorkflowCommands } from '../../src/cli/workflow-command-guard.js';
import { renderIssueBody } from '../../src/submission/issue-form.js';
import { runMain } from '../fixtures.js';
import { createMarket, EXAMPLE_KEY_LINE, FORM, type Market, REPO_ROOT } from './market-fixture.js';

// DESIGN §8 threat row "workflow-command injection": submission text (the issue, and the release's own files) must
// never reach the Actions log as a workflow command. The runner reads `::cmd::` at the start of a line after
// leading white space, and the legacy `##[cmd]` anywhere in a line; lines split at \r\n, \r and \n.
const LINES = /\r\n|\r|\n/;
const commandLines = (text: string) => text.split(LINES).filter((l) => /^[\s\u0085]*::/.test(l) || l.includes('##['));

const INJECTED = [
  '::set-output name=x::y',
  '::add-mask::hunter2',
  '::error::boom',
  '  ::stop-commands::tok',
  '\u0085::warning::nel',
  'text ##[error]legacy',
].join('\n');

describe('workflow-command injection through wharf-admin output', () => {
  let m: Market;
  beforeAll(async () => {
    m = await createMarket();
    m.addExampleRelease('greet');
  });
  afterAll(async () => m?.close());

  const review = async (bodyFields: Record<string, string>, json: boolean) => {
    const body = renderIssueBody(FORM, {
      plugin_id: 'greet',
      repository: 'alice/greet',
      tag: 'v0.1.0',
      public_key: EXAMPLE_KEY_LINE,
      category: 'entertainment',
      license: 'MIT',
      permissions: 'config_keys: reads the greeting',
      ...bodyFields,
    });
    const file = join(m.root, 'body.md');
    writeFileSync(file, body);
    return runMain(
      [
        ...(json ? ['--json'] : []),
        'review',
        '--issue-body',
        file,
        '--no-smoke',
        '--form',
        join(REPO_ROOT, '.github', 'ISSUE_TEMPLATE', 'plugin-submission.yml'),
      ],
      { GITHUB_API_URL: m.stub.url, GITHUB_TOKEN: 'bot-token' },
    );
  };

  it.each([
    ['in the permissions text', { permissions: `config_keys: reads the greeting\n${INJECTED}` }],
    ['as the tag', { tag: `v0.1.0\n${INJECTED}` }],
    ['as the licence', { license: `MIT ${INJECTED}` }],
  ])('issue text %s never becomes a command line (human and --json)', async (_where, fields) => {
    for (const json of [false, true]) {
      const { stdout, stderr } = await review(fields, json);
      expect(stdout + stderr).not.toBe('');
      expect(commandLines(stdout)).toEqual([]);
      expect(commandLines(stderr)).toEqual([]);
      if (json) JSON.parse(stdout); // the escapes keep --json valid JSON
    }
  });

  it("the release's plugin.json (not JSON, lines of commands) never becomes a command line", async () => {
    const assets = m.stub.repos.get('alice/greet')?.releases['v0.1.0'];
    if (!assets) throw new Error('no release');
    const real = assets['plugin.json'] as Uint8Array;
    assets['plugin.json'] = new TextEncoder().encode(`{\n${INJECTED}\n`);
    try {
      for (const json of [false, true]) {
        const { code, stdout, stderr } = await review({}, json);
        expect(code).toBe(1);
        expect(stdout).toMatch(/manifest\.schema/);
        expect(commandLines(stdout)).toEqual([]);
        expect(commandLines(stderr)).toEqual([]);
        if (json) {
          // and the JSON still says exactly what plugin.json said: the escapes are JSON's own
          const msg = JSON.parse(stdout).checks.find((c: { id: string }) => c.id === 'manifest.schema').message;
          expect(msg).toMatch(/E_SCHEMA/);
        }
      }
    } finally {
      assets['plugin.json'] = real;
    }
  });
});

describe('the guard itself', () => {
  it('escapes each form the runner reads, and nothing else', () => {
    expect(guardWorkflowCommands('::error::x\n  ::add-mask::y\r::z::\r\nok ##[error]w\nfine :: here')).toBe(
      '\\u003a:error::x\n  \\u003a:add-mask::y\r\\u003a:z::\r\nok #\\u0023[error]w\nfine :: here',
    );
  });
});
