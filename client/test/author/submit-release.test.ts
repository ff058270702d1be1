import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initProject } from '../../src/author/init-project.js';
import { checkRelease } from '../../src/author/submit-release.js';
import { TEMPLATE_EXPORT } from '../../src/author/templates.js';
import { signFile, writeKeyPair } from '../../src/signing/index.js';
import { wat } from '../scan/wasm-fixtures.js';

const WHARF = resolve(import.meta.dirname, '../../bin/wharf.js');
const root = mkdtempSync(join(tmpdir(), 'wharf-submit-'));
const project = join(root, 'shout-it');
const served = join(root, 'www');
let server: Server;
let base = '';
const TAG_PATH = '/octo/shout-it/releases/download/v0.1.0';

beforeAll(async () => {
  mkdirSync(join(root, 'keys'));
  const keys = writeKeyPair(join(root, 'keys'));
  initProject(project, { lang: 'wat', owner: 'octo', description: 'Shouts.', signingKey: keys.publicKeyPath });
  writeFileSync(join(project, 'plugin.wasm'), await wat(readFileSync(join(project, 'plugin.wat'), 'utf8')));
  signFile(join(project, 'plugin.wasm'), { id: 'shout-it', version: '0.1.0', secretKeyPath: keys.secretKeyPath });
  // The "release": a static server with the three assets under a GitHub-like download path.
  mkdirSync(join(served, TAG_PATH), { recursive: true });
  for (const f of ['plugin.json', 'plugin.wasm', 'plugin.wasm.minisig'])
    copyFileSync(join(project, f), join(served, TAG_PATH, f));
  server = createServer((req, res) => {
    try {
      const body = readFileSync(join(served, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
      res.writeHead(200, { 'content-length': body.length }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}${TAG_PATH}`;
});
afterAll(async () => {
  if (server) await new Promise((ok) => server.close(ok));
  rmSync(root, { recursive: true, force: true });
});

const statusOf = (r: Awaited<ReturnType<typeof checkRelease>>, id: string) => r.checks.find((c) => c.id === id);

describe('plugin submit', () => {
  it('verifies a release over HTTP and prefills the issue form with the bot field ids', async () => {
    const r = await checkRelease({ releaseUrl: base, projectDir: project, giteeRepository: 'octo/shout-it' });
    expect(r.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(r.passed).toBe(true);
    for (const id of [
      'manifest.schema',
      'release.assets',
      'artifact.digest',
      'signature.valid',
      'signature.binding',
      'key.repo',
      'wasm.exports',
    ])
      expect(statusOf(r, id)?.status, id).toBe('pass');
    const u = new URL(r.form_url);
    expect(u.pathname).toBe('/wharf-plugins/wharf/issues/new');
    const q = Object.fromEntries(u.searchParams);
    expect(q).toMatchObject({
      template: 'plugin-submission.yml',
      plugin_id: 'shout-it',
      repository: 'octo/shout-it',
      gitee_repository: 'octo/shout-it',
      tag: 'v0.1.0',
      category: 'Utilities / 实用工具 (utility)',
      license: 'MIT',
    });
    expect(q.public_key).toMatch(/^RW/);
    expect(q.permissions).toMatch(/^memory_max_pages: .+\ntimeout_ms: .+$/);
    expect(r.fields.plugin_id).toBe('shout-it');
  });

  it('fails a tampered artifact, a missing signature and a tag that is not the version', async () => {
    const tampered = join(served, 'bad');
    mkdirSync(tampered);
    for (const f of ['plugin.json', 'plugin.wasm.minisig']) copyFileSync(join(served, TAG_PATH, f), join(tampered, f));
    const wasm = readFileSync(join(served, TAG_PATH, 'plugin.wasm'));
    wasm[wasm.length - 2] ^= 1;
    writeFileSync(join(tampered, 'plugin.wasm'), wasm);
    const origin = base.slice(0, base.indexOf(TAG_PATH));
    let r = await checkRelease({ releaseUrl: `${origin}/bad`, projectDir: project });
    expect(r.passed).toBe(false);
    expect(statusOf(r, 'signature.valid')?.message).toMatch(/^E_SIG_INVALID: /);

    rmSync(join(tampered, 'plugin.wasm.minisig'));
    r = await checkRelease({ releaseUrl: `${origin}/bad`, projectDir: project });
    expect(statusOf(r, 'release.assets')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^E_NOT_FOUND: .*plugin\.wasm\.minisig/),
    });

    r = await checkRelease({ dir: project, projectDir: project, tag: 'v9.9.9' });
    expect(statusOf(r, 'release.tag')?.status).toBe('fail');
  });

  it('exits 1 with the failing check E_ code through the CLI, and 0 with the form link when all pass', () => {
    const ok = spawnSync(process.execPath, [WHARF, 'plugin', 'submit', '--dir', project, '--project', project], {
      encoding: 'utf8',
    });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('https://github.com/wharf-plugins/wharf/issues/new?template=plugin-submission.yml&');
    expect(ok.stdout).toMatch(/^ {2}plugin_id: shout-it$/m);
    const bad = spawnSync(
      process.execPath,
      [WHARF, 'plugin', 'submit', '--dir', project, '--project', project, '--tag', 'v2.0.0'],
      {
        encoding: 'utf8',
      },
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/error E_SUBMISSION_INVALID: /);
  });

  it('the generated project exports what its manifest declares', () => {
    expect(JSON.parse(readFileSync(join(project, 'plugin.json'), 'utf8')).exports[0].name).toBe(TEMPLATE_EXPORT);
  });
});
