// The author's whole path, with the commands site/docs/*/authoring.md shows, all offline (loopback HTTP, npm cache):
// keygen → plugin init → npm ci → plugin build → npm test → plugin test → sign (wharf sign, and the generated
// release workflow's own minisign step) → plugin submit → wharf-admin registry init/add/publish/serve → a separate
// client installs and runs the plugin.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SCAN_CHECK_IDS } from '@wharf/client';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, tempDir, WHARF, WHARF_ADMIN } from '../helpers/demo.js';

const roots: string[] = [];
const servers: ChildProcess[] = [];
afterAll(() => {
  for (const s of servers) s.kill('SIGTERM');
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function runNpm(cwd: string, args: string[]): { code: number; output: string } {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8' });
  return { code: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
}

/** `wharf-admin serve <dir> --port 0`, as a user runs it; resolves with the URL it prints. */
function serve(dir: string): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [WHARF_ADMIN, 'serve', dir, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    servers.push(child);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/at (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) ok(m[1] as string);
    });
    child.on('exit', (code) => fail(new Error(`wharf-admin serve exited ${code}: ${out}`)));
  });
}

/** The "Sign plugin.wasm" step of the generated release workflow, run with bash (minus the apt-get line). */
function runWorkflowSignStep(project: string, cwd: string, secretKey: string, runnerTemp: string): void {
  const wf = parse(readFileSync(join(project, '.github/workflows/release.yml'), 'utf8'));
  const step = (wf.jobs.release.steps as Array<{ name?: string; run?: string }>).find(
    (s) => s.name === 'Sign plugin.wasm',
  );
  const script = (step?.run ?? '').replace(/^sudo apt-get.*$/m, '');
  execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd,
    env: { ...process.env, MINISIGN_SECRET_KEY: secretKey, RUNNER_TEMP: runnerTemp },
    stdio: 'pipe',
  });
}

describe.each([
  ['wat', 'hello-wat'],
  ['assemblyscript', 'hello-as'],
] as const)('author path, %s', (lang, id) => {
  // ~20 child processes in a row, two of them compilers: 11-14 s alone, ~19 s beside two busy loops, and more
  // inside the whole suite on 2 cores. The limit is for a machine several times slower than that, not a budget.
  it(`init → build → test → sign → submit → registry → install and run elsewhere`, { timeout: 300_000 }, async () => {
    const root = tempDir(`author-${lang}`);
    roots.push(root);
    const home = join(root, 'author-home');
    const project = join(root, id);
    const wharf = (...a: string[]) => runCli(WHARF, ['--home', home, ...a]);
    const admin = (...a: string[]) => runCli(WHARF_ADMIN, a);

    // keygen: writes <home>/keys/wharf.{pub,key}; plugin init puts the public key into plugin.json.
    let r = await wharf('keygen');
    expect(r.code, r.stderr).toBe(0);
    r = await wharf('plugin', 'init', project, '--lang', lang, '--owner', 'octo', '--description', 'Shouts.');
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(project, 'plugin.json'), 'utf8'));
    expect(manifest.signing_key).toMatch(/^RW/);

    // npm ci --offline: the generated package-lock.json pins the toolchain this repo's own `npm ci` put in the cache.
    const ci = runNpm(project, ['ci', '--offline', '--no-audit', '--no-fund']);
    expect(ci.code, ci.output).toBe(0);
    r = await wharf('plugin', 'build', project);
    expect(r.code, r.stderr).toBe(0);
    const npmTest = runNpm(project, ['test']);
    expect(npmTest.code, npmTest.output).toBe(0);

    r = await wharf('--json', 'plugin', 'test', project);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.passed).toBe(true);
    // The review bot's check ids, from the same scan code.
    expect(report.checks.map((c: { id: string }) => c.id).sort()).toEqual([...SCAN_CHECK_IDS, 'smoke.run'].sort());
    expect(report.runs).toEqual([
      expect.objectContaining({ export: 'uppercase', status: 'pass', output: 'HELLO, WHARF!' }),
    ]);
    r = await wharf('plugin', 'test', project, '--input', 'abc', '--expect', 'ABC');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/uppercase\s+pass\s+[\d.]+ ms\s+\+\d+ KiB\s+"ABC"/);
    r = await wharf('plugin', 'test', project, '--input', 'abc', '--expect', 'abc');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_TEST_FAILED');

    // Sign: the generated workflow's minisign step and `wharf sign` must produce signatures Wharf accepts.
    const ciRelease = join(root, 'ci-release');
    mkdirSync(ciRelease);
    for (const f of ['plugin.json', 'plugin.wasm']) copyFileSync(join(project, f), join(ciRelease, f));
    runWorkflowSignStep(project, ciRelease, readFileSync(join(home, 'keys', 'wharf.key'), 'utf8'), root);
    r = await wharf('--json', 'plugin', 'submit', '--dir', ciRelease, '--project', project);
    expect(r.code, r.stdout).toBe(0);

    r = await wharf('sign', join(project, 'plugin.wasm'), '--id', id, '--version', '0.1.0');
    expect(r.code, r.stderr).toBe(0);
    r = await wharf('--json', 'plugin', 'submit', '--dir', project, '--project', project, '--gitee', 'octo/mirror');
    expect(r.code, r.stdout).toBe(0);
    const sub = JSON.parse(r.stdout);
    expect(sub.passed).toBe(true);
    const form = new URL(sub.form_url);
    expect(`${form.origin}${form.pathname}`).toBe('https://github.com/wharf-plugins/wharf/issues/new');
    expect(Object.fromEntries(form.searchParams)).toMatchObject({
      template: 'plugin-submission.yml',
      plugin_id: id,
      repository: `octo/${id}`,
      gitee_repository: 'octo/mirror',
      tag: 'v0.1.0',
      public_key: manifest.signing_key,
    });
    r = await wharf('plugin', 'submit', '--dir', project, '--project', project);
    expect(r.stdout).toContain(`plugin_id: ${id}`);

    // The maintainer side: a registry, the release added and signed, served on loopback.
    const reg = join(root, 'registry');
    r = await admin('registry', 'init', reg, '--json');
    expect(r.code, r.stderr).toBe(0);
    const rootSha = JSON.parse(r.stdout).rootSha256 as string;
    const url = await serve(reg);
    mkdirSync(join(reg, 'artifacts'));
    copyFileSync(join(project, 'plugin.wasm'), join(reg, 'artifacts', 'plugin.wasm'));
    r = await admin(
      'add',
      reg,
      '--manifest',
      join(project, 'plugin.json'),
      '--wasm',
      join(project, 'plugin.wasm'),
      '--sig',
      join(project, 'plugin.wasm.minisig'),
      '--url',
      `${url}/artifacts/plugin.wasm`,
    );
    expect(r.code, r.stderr).toBe(0);
    r = await admin('publish', reg);
    expect(r.code, r.stderr).toBe(0);

    // A separate user with a separate home installs and runs it.
    const user = (...a: string[]) => runCli(WHARF, ['--home', join(root, 'user-home'), ...a]);
    r = await user('source', 'add', 'local', url, '--root-sha256', rootSha);
    expect(r.code, r.stderr).toBe(0);
    r = await user('install', id);
    expect(r.code, r.stderr).toBe(0);
    r = await user('run', id, 'uppercase', '--input', 'shipped, offline');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('SHIPPED, OFFLINE');
  });
});
