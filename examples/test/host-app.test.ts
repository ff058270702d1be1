// examples/host-app (wharf-pipe) run as a user would: a real process, stdin in, stdout out, against a
// freshly signed registry of the example plugins served on 127.0.0.1.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES, runCli, type ServedDemo, serveDemo, tempDir } from '../../test/helpers/demo.js';

const PIPE = join(EXAMPLES, 'host-app', 'wharf-pipe.mjs');

describe('examples/host-app: wharf-pipe', () => {
  let demo: ServedDemo;
  let home: string;
  beforeAll(async () => {
    demo = await serveDemo(['count-vowels', 'greet']);
    home = tempDir('pipe');
  });
  afterAll(async () => {
    await demo?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('installs from a pinned source and pipes stdin through a chain of plugins', async () => {
    const source = `local=${demo.server.url}#${demo.reg.rootSha256}`;
    const r = await runCli(
      PIPE,
      [
        '--home',
        home,
        '--source',
        source,
        '--install',
        'greet',
        '--install',
        'count-vowels@*',
        '--health',
        'greet:greet',
        'count-vowels:count_vowels',
      ],
      { input: 'Ada' },
    );
    expect(r.code, r.stderr).toBe(0);
    const greeting = await runCli(PIPE, ['--home', home, 'greet:greet'], { input: 'Ada' });
    expect(greeting.code, greeting.stderr).toBe(0);
    const vowels = [...greeting.stdout].filter((c) => 'aeiouAEIOU'.includes(c)).length;
    expect(JSON.parse(r.stdout)).toEqual({ count: vowels });
    const health = JSON.parse(r.stderr.slice(r.stderr.indexOf('['))) as Array<{
      id: string;
      calls: number;
      status: string;
    }>;
    expect(health.map((h) => [h.id, h.calls, h.status])).toEqual([
      ['greet', 1, 'ok'],
      ['count-vowels', 1, 'ok'],
    ]);
  });

  it('reports a refusal with its E_ code and exit 1, and a bad stage with exit 2', async () => {
    const missing = await runCli(PIPE, ['--home', home, 'word-stats:word_stats'], { input: 'x' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error E_NOT_INSTALLED: /m);
    const wrongExport = await runCli(PIPE, ['--home', home, 'greet:nope'], { input: 'x' });
    expect(wrongExport.code).toBe(1);
    expect(wrongExport.stderr).toMatch(/^error E_WASM_EXPORT: /m);
    const usage = await runCli(PIPE, ['--home', home, 'greet'], { input: 'x' });
    expect(usage.code).toBe(2);
  });
});
