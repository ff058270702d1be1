import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES, REPO, runCli, type ServedDemo, serveDemo, tempDir } from './helpers/demo.js';

// The three packages as npm would ship them: packed from this checkout, installed into an empty prefix (from the
// npm cache where it has them), and the installed `wharf` and `wharf-admin` run from there, outside the checkout.
const run = promisify(execFile);
const npm = (args: string[], cwd = REPO) =>
  run('npm', args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false' } });

describe('the packed CLIs', () => {
  let box: string;
  let tarballs: string[];
  let bin: string;
  let demo: ServedDemo;

  beforeAll(async () => {
    box = tempDir('pack');
    const packed = join(box, 'packed');
    mkdirSync(packed);
    await npm(['pack', '-w', 'schemas', '-w', 'client', '-w', 'tools', '--pack-destination', packed]);
    tarballs = readdirSync(packed)
      .filter((f) => f.endsWith('.tgz'))
      .map((f) => join(packed, f));
    const prefix = join(box, 'prefix');
    mkdirSync(prefix);
    await npm(['install', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], box);
    bin = join(prefix, 'node_modules', '.bin');
    demo = await serveDemo(['count-vowels']);
  }, 300_000);
  afterAll(async () => {
    await demo?.close();
    if (box) rmSync(box, { recursive: true, force: true });
  });

  it('packs all three, publishable (npm publish --dry-run)', async () => {
    expect(tarballs.map((t) => t.slice(t.lastIndexOf('/') + 1)).sort()).toEqual([
      'wharf-client-0.1.0.tgz',
      'wharf-schemas-0.1.0.tgz',
      'wharf-tools-0.1.0.tgz',
    ]);
    for (const t of tarballs) {
      const r = await npm(['publish', '--dry-run', t], box);
      expect(r.stderr).toMatch(/\(dry-run\)/);
    }
  }, 120_000);

  it('runs the installed wharf and wharf-admin: --version, --help and the README tour', async () => {
    const wharf = (...a: string[]) => runCli(join(bin, 'wharf'), ['--home', join(box, 'home'), ...a]);
    const admin = (...a: string[]) => runCli(join(bin, 'wharf-admin'), a);
    const v = await wharf('--version');
    expect(v.stdout.trim()).toBe('0.1.0');
    const h = await admin('--help');
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toContain('Usage: wharf-admin');

    // as a user
    let r = await wharf('source', 'add', 'local', demo.server.url, '--root-sha256', demo.reg.rootSha256);
    expect(r.code, r.stderr).toBe(0);
    for (const args of [
      ['refresh'],
      ['search', 'count vowels'],
      ['info', 'count-vowels'],
      ['install', 'count-vowels@^0.1'],
      ['verify'],
    ]) {
      r = await wharf(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    r = await wharf('run', 'count-vowels', 'count_vowels', '--input', 'Hello');
    expect(r.stdout).toBe('{"count":2}');

    // as a registry maintainer
    const reg = join(box, 'reg');
    r = await admin('registry', 'init', reg);
    expect(r.code, r.stderr).toBe(0);
    const ex = join(EXAMPLES, 'count-vowels');
    r = await admin(
      'add',
      reg,
      '--manifest',
      join(ex, 'plugin.json'),
      '--wasm',
      join(ex, 'plugin.wasm'),
      '--sig',
      join(ex, 'plugin.wasm.minisig'),
      '--url',
      'https://example.org/plugin.wasm',
    );
    expect(r.code, r.stderr).toBe(0);
    r = await admin('publish', reg);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);
});

describe('npm ci on Node 20', () => {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; engines?: { node?: string } | string[]; optional?: boolean }>;
  };

  it('every locked package allows Node 20.19 (no EBADENGINE)', () => {
    const refused = Object.entries(lock.packages)
      .filter(([, p]) => typeof p.engines === 'object' && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => !semver.satisfies('20.19.0', (p.engines as { node: string }).node))
      .map(([k, p]) => `${k}@${p.version} wants node ${(p.engines as { node: string }).node}`);
    expect(refused).toEqual([]);
  });

  it('every install script is covered by allowScripts', async () => {
    const r = await npm(['approve-scripts', '--allow-scripts-pending']);
    expect(r.stdout + r.stderr).toMatch(/No packages with unreviewed install scripts/);
  });
});
