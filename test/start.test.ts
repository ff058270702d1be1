import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir, WHARF } from './helpers/demo.js';

// `npm start` as a new user meets it: from an empty demo dir, it signs a registry of the examples, serves it
// and the catalog built from it, and the commands it prints work.
describe('npm start', () => {
  const dir = tempDir('start');
  const child = spawn(process.execPath, [join(REPO, 'tools', 'dist', 'demo', 'start.js')], {
    env: { ...process.env, WHARF_DEMO_DIR: dir, WHARF_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const ready = new Promise<void>((ok, fail) => {
    child.stdout.on('data', () => out.includes('Press Ctrl-C') && ok());
    child.on('close', (code) => fail(new Error(`npm start exited ${code}:\n${out}`)));
  });
  afterAll(() => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  // npm start signs a registry and builds the whole catalog site before it is ready: ~54 s beside two busy loops
  // and four other test files on 2 cores, so the 60 s default had no room left.
  it('serves the examples and their catalog, and the printed commands work', { timeout: 300_000 }, async () => {
    await ready;
    const server = /marketplace on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    const site = /catalog site: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
    const home = /export WHARF_HOME=(\S+)/.exec(out)?.[1];
    expect(server, out).toBeDefined();
    expect(site, out).toBeDefined();
    expect(home).toBe(join(dir, 'home'));
    const wharf = (...a: string[]) => runCli(WHARF, a, { env: { WHARF_HOME: home as string } });
    const found = await wharf('--json', 'search', 'vowels');
    expect(JSON.parse(found.stdout)[0]?.plugin_id).toBe('count-vowels');
    expect((await wharf('install', 'count-vowels')).code).toBe(0);
    const ran = await wharf('run', 'count-vowels', 'count_vowels', '--input', 'Hello World');
    expect(ran.stdout).toBe('{"count":3}');
    const page = await fetch(`${site}/plugins/count-vowels/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('wharf install count-vowels');
    const js = await fetch(`${site}/`).then((r) => r.text());
    const script = /<script[^>]+src="([^"]+)"/.exec(js)?.[1];
    if (script) expect((await fetch(new URL(script, `${site}/`))).headers.get('content-type')).toMatch(/javascript/);
  });
});
