// The author's first hour in the README's order, through the real `wharf` binary: init before keygen, then
// `plugin key`; placeholders and an unreachable release refused by `plugin submit`; keys kept out of Git; sign
// before keygen; keygen into a new dir; and a password-protected minisign key (env, file and terminal prompt),
// with every signature checked by the real `minisign -V`.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotDir, tempLeftovers } from '../../../test/helpers/snapshot-dir.js';
import { initProject } from '../../src/author/init-project.js';
import { checkRelease } from '../../src/author/submit-release.js';
import { signFile, writeKeyPair } from '../../src/signing/index.js';
import { MINISIGN, minisign, tempDir } from '../fixtures/signing/helpers.js';
import { wharf } from '../legacy/wxauto-lab.js';
import { wat } from '../scan/wasm-fixtures.js';

const t = tempDir();
afterAll(() => t.cleanup());
const ENCRYPTED_KEY = join(import.meta.dirname, '../fixtures/signing/encrypted-password-pw.key');
const ENCRYPTED_PUB = join(import.meta.dirname, '../fixtures/signing/encrypted-password-pw.pub');

const errorOf = (stdout: string) => (JSON.parse(stdout) as { error?: { code: string; message: string } }).error;

/** A released project: plugin.wasm built from the template and signed, the three assets copied to `<dir>/release`. */
async function release(project: string, secretKeyPath: string): Promise<string> {
  writeFileSync(join(project, 'plugin.wasm'), await wat(readFileSync(join(project, 'plugin.wat'), 'utf8')));
  const m = JSON.parse(readFileSync(join(project, 'plugin.json'), 'utf8'));
  signFile(join(project, 'plugin.wasm'), { id: m.id, version: m.version, secretKeyPath });
  const out = join(project, 'release');
  mkdirSync(out, { recursive: true });
  for (const f of ['plugin.json', 'plugin.wasm', 'plugin.wasm.minisig']) copyFileSync(join(project, f), join(out, f));
  return out;
}

describe('plugin init before keygen, then plugin key', () => {
  it('a project made before keygen fails submit, and `wharf plugin key` fixes it', async () => {
    const home = join(t.dir, 'home-a');
    const project = join(t.dir, 'early-bird');
    let r = await wharf([
      '--home',
      home,
      '--json',
      'plugin',
      'init',
      project,
      '--owner',
      'octo',
      '--author',
      'Octo',
      '--description',
      'Shouts.',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).signingKey).toBeUndefined();
    r = await wharf(['--home', home, '--json', 'keygen']);
    expect(r.code, r.stderr).toBe(0);
    const keys = JSON.parse(r.stdout) as { publicKeyPath: string; secretKeyPath: string };

    const before = await checkRelease({ dir: await release(project, keys.secretKeyPath), projectDir: project });
    expect(before.checks.find((c) => c.id === 'signature.valid')?.message).toMatch(
      /^E_SIG_INVALID: plugin.json has no signing_key; run `wharf plugin key`/,
    );
    expect(before.checks.find((c) => c.id === 'key.repo')?.status).toBe('fail');

    r = await wharf(['--home', home, '--json', 'plugin', 'key', project]);
    expect(r.code, r.stderr).toBe(0);
    const pub = readFileSync(keys.publicKeyPath, 'utf8');
    expect(readFileSync(join(project, 'minisign.pub'), 'utf8')).toBe(pub);
    expect(JSON.parse(readFileSync(join(project, 'plugin.json'), 'utf8')).signing_key).toBe(pub.split('\n')[1]);
    // Running it again changes nothing.
    const snap = snapshotDir(project);
    r = await wharf(['--home', home, '--json', 'plugin', 'key', project]);
    expect(JSON.parse(r.stdout).written).toEqual([]);
    expect(snapshotDir(project)).toEqual(snap);

    const after = await checkRelease({ dir: await release(project, keys.secretKeyPath), projectDir: project });
    expect(after.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(after.passed).toBe(true);
  });

  it('refuses to swap a different key in without --force: E_KEY_CHANGED, plugin.json byte-identical, no temp files', async () => {
    const home = join(t.dir, 'home-b');
    const project = join(t.dir, 'keyed');
    mkdirSync(join(t.dir, 'other-keys'));
    const first = writeKeyPair(join(t.dir, 'other-keys'));
    initProject(project, { owner: 'octo', signingKey: first.publicKeyPath });
    expect((await wharf(['--home', home, 'keygen'])).code).toBe(0);
    const snap = snapshotDir(project);
    const r = await wharf(['--home', home, '--json', 'plugin', 'key', project]);
    expect(r.code).toBe(1);
    expect(errorOf(r.stdout)?.code).toBe('E_KEY_CHANGED');
    expect(snapshotDir(project)).toEqual(snap);
    expect(tempLeftovers(project)).toEqual([]);
    const forced = await wharf(['--home', home, '--json', 'plugin', 'key', project, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout).written).toHaveLength(2);
  });

  it('plugin key with no key at all says to run `wharf keygen`', async () => {
    const project = join(t.dir, 'keyless');
    initProject(project, { owner: 'octo' });
    const r = await wharf(['--home', join(t.dir, 'home-c'), '--json', 'plugin', 'key', project]);
    expect(r.code).toBe(2);
    expect(errorOf(r.stdout)).toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/wharf keygen/) });
  });
});

describe('plugin submit refusals', () => {
  it("refuses a release that still has the template's placeholders", async () => {
    mkdirSync(join(t.dir, 'k-p'));
    const keys = writeKeyPair(join(t.dir, 'k-p'));
    const project = join(t.dir, 'placeholder-kept');
    initProject(project, { signingKey: keys.publicKeyPath });
    const r = await checkRelease({ dir: await release(project, keys.secretKeyPath), projectDir: project });
    const c = r.checks.find((x) => x.id === 'manifest.placeholders');
    expect(c?.status).toBe('fail');
    expect(c?.message).toMatch(
      /^E_SUBMISSION_INVALID: .*author\.name, author\.github, homepage, repository, description/,
    );
    expect(r.passed).toBe(false);
  });

  it('without --dir, an unreachable release host says so and names --dir', async () => {
    const project = join(t.dir, 'offline-one');
    initProject(project, { owner: 'octo', author: 'Octo' });
    const e = await checkRelease({ projectDir: project, releaseUrl: 'https://release.invalid/x' }).catch((x) => x);
    expect(e.code).toBe('E_SOURCE_UNREACHABLE');
    expect(e.message).toMatch(/--dir <dir>/);
    // Through the CLI too.
    const r = await wharf([
      '--json',
      'plugin',
      'submit',
      '--project',
      project,
      '--release-url',
      'https://github.invalid/o/r/x',
    ]);
    expect(r.code).toBe(1);
    expect(errorOf(r.stdout)).toMatchObject({ code: 'E_SOURCE_UNREACHABLE', message: expect.stringMatching(/--dir/) });
  });
});

describe('the template keeps private keys out of Git', () => {
  it('ignores *.key, *.pem and a registry init <dir>.keys/ folder', () => {
    const project = join(t.dir, 'git-hygiene');
    initProject(project, { owner: 'octo' });
    expect(spawnSync('git', ['init', '-q'], { cwd: project }).status).toBe(0);
    const paths = ['wharf.key', 'signing.pem', 'reg.keys/root.json', 'reg.keys/targets.key'];
    for (const p of paths) {
      mkdirSync(join(project, p, '..'), { recursive: true });
      writeFileSync(join(project, p), 'secret');
    }
    const r = spawnSync('git', ['check-ignore', ...paths, 'plugin.json'], { cwd: project, encoding: 'utf8' });
    expect(r.stdout.trim().split('\n')).toEqual(paths);
  });
});

describe('keygen and sign', () => {
  const wasm = join(t.dir, 'plugin.wasm');
  const verify = (pub: string) => minisign(['-V', '-p', pub, '-m', wasm]);
  beforeAll(async () => {
    writeFileSync(wasm, await wat('(module (memory 1 1))'));
  });

  it('sign before keygen says to run `wharf keygen`, and writes nothing', async () => {
    // The home's own layout may be created by any command; what must not appear is a key or a signature.
    await wharf(['--home', join(t.dir, 'fresh'), 'list']);
    const before = snapshotDir(t.dir);
    const r = await wharf([
      '--home',
      join(t.dir, 'fresh'),
      '--json',
      'sign',
      wasm,
      '--id',
      'x-y',
      '--version',
      '1.0.0',
    ]);
    expect(r.code).toBe(1);
    expect(errorOf(r.stdout)?.message).toMatch(/run `wharf keygen` first/);
    expect(existsSync(`${wasm}.minisig`)).toBe(false);
    expect(snapshotDir(t.dir)).toEqual(before);
  });

  it('keygen --out creates a directory that does not exist yet, private to the user', async () => {
    const out = join(t.dir, 'new', 'keys-dir');
    const r = await wharf(['--home', join(t.dir, 'fresh'), '--json', 'keygen', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'wharf.key'))).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o700);
  });

  it.skipIf(!existsSync(MINISIGN))(
    'signs with a password-protected minisign key from $WHARF_KEY_PASSWORD',
    async () => {
      const r = await wharf(['--json', 'sign', wasm, '--id', 'x-y', '--version', '1.0.0', '--key', ENCRYPTED_KEY], {
        WHARF_KEY_PASSWORD: 'pw',
      });
      expect(r.code, r.stdout).toBe(0);
      expect(verify(ENCRYPTED_PUB).status).toBe(0);
    },
  );

  it.skipIf(!existsSync(MINISIGN))('reads the password from --password-file, and refuses a wrong one', async () => {
    writeFileSync(join(t.dir, 'pw.txt'), 'pw\n');
    writeFileSync(join(t.dir, 'bad.txt'), 'nope\n');
    const args = ['--json', 'sign', wasm, '--id', 'x-y', '--version', '1.0.1', '--key', ENCRYPTED_KEY];
    const bad = await wharf([...args, '--password-file', join(t.dir, 'bad.txt')]);
    expect(errorOf(bad.stdout)?.message).toMatch(/wrong password/);
    const ok = await wharf([...args, '--password-file', join(t.dir, 'pw.txt')]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(verify(ENCRYPTED_PUB).status).toBe(0);
    expect(readFileSync(`${wasm}.minisig`, 'utf8')).toMatch(/trusted comment: wharf1 id=x-y version=1\.0\.1 /);
  });

  it('without a terminal, env or file, it says how to give the password', async () => {
    const r = await wharf(['--json', 'sign', wasm, '--id', 'x-y', '--version', '1.0.2', '--key', ENCRYPTED_KEY]);
    expect(errorOf(r.stdout)?.message).toMatch(/WHARF_KEY_PASSWORD or pass --password-file/);
  });

  it.skipIf(!existsSync('/usr/bin/script') || !existsSync(MINISIGN))(
    'asks on a terminal without echoing the password',
    async () => {
      // script(1) gives the CLI a real pty. The password is typed once the prompt is shown (echo is off by then),
      // so anything after the prompt that spells it would be an echo.
      const cmd = [process.execPath, join(import.meta.dirname, '../../bin/wharf.js'), 'sign', wasm]
        .concat(['--id', 'x-y', '--version', '1.0.3', '--key', ENCRYPTED_KEY])
        .map((a) => `'${a}'`)
        .join(' ');
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let typed = false;
      child.stdout.on('data', (d) => {
        out += d;
        if (!typed && /Password for [^\n]*: $/.test(out)) {
          typed = true;
          child.stdin.write('pw\r');
        }
      });
      const code = await new Promise<number | null>((ok) => child.on('close', ok));
      expect(code, out).toBe(0);
      const afterPrompt = out.slice(out.indexOf('Password for'));
      expect(afterPrompt).toMatch(/^Password for .*encrypted-password-pw\.key: /);
      expect(afterPrompt).not.toContain('pw\r');
      expect(afterPrompt.split(/\r?\n/)[0]).not.toMatch(/: .*pw/);
      expect(verify(ENCRYPTED_PUB).status).toBe(0);
      expect(readFileSync(`${wasm}.minisig`, 'utf8')).toMatch(/version=1\.0\.3 /);
    },
  );
});
