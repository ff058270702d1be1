import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JS, no declarations
import { bundleCli } from '../client/scripts/bundle-cli.mjs';
import { LANGS } from '../client/src/author/init-project.js';
import { demoClient, REPO, runCli, type ServedDemo, serveDemo, tempDir } from './helpers/demo.js';

// The bundled CLIs (dist/bundle/, what the bins run after `npm run build`) must behave exactly like the modules tsc
// built: same stdout, stderr and exit code for every command tried here. Each is bundled afresh into its own dir
// beside dist/bundle, so nothing else running is disturbed.
describe('bundled CLIs', () => {
  const outs: string[] = [];
  let wharfBundle: string;
  let adminBundle: string;
  let demo: ServedDemo;
  const root = tempDir('bundle');
  const home = join(root, 'home');

  beforeAll(async () => {
    const out = (pkg: string) => {
      const d = join(REPO, pkg, 'dist', `bundle-test-${process.pid}`);
      outs.push(d);
      return d;
    };
    const wharfDir = out('client');
    const adminDir = out('tools');
    await bundleCli({ entry: join(REPO, 'client/dist/cli/entry.js'), name: 'wharf', outdir: wharfDir });
    await bundleCli({ entry: join(REPO, 'tools/dist/cli/entry.js'), name: 'wharf-admin', outdir: adminDir });
    wharfBundle = join(wharfDir, 'wharf.cjs');
    adminBundle = join(adminDir, 'wharf-admin.cjs');
    demo = await serveDemo(['count-vowels', 'greet']);
    await (await demoClient(demo, home)).install('count-vowels');
  }, 120_000);
  afterAll(async () => {
    await demo?.close();
    for (const d of outs) rmSync(d, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  const same = async (bundle: string, modules: string, args: string[]) => {
    const [b, m] = await Promise.all([runCli(bundle, args), runCli(modules, args)]);
    expect(b, `${args.join(' ')}`).toEqual(m);
    return b;
  };
  const wharf = (...args: string[]) => same(wharfBundle, join(REPO, 'client/dist/cli/entry.js'), args);
  const admin = (...args: string[]) => same(adminBundle, join(REPO, 'tools/dist/cli/entry.js'), args);

  it('wharf: --version, --help, usage errors', async () => {
    expect((await wharf('--version')).stdout).toBe('0.1.0\n');
    expect((await wharf('--help')).stdout).toContain('Usage: wharf');
    expect((await wharf('no-such-command')).code).toBe(2);
    // `sign --version 1.2.3` is the release version, not the program's
    expect((await wharf('sign', 'x.wasm', '--id', 'a', '--version', '1.2.3', '--key', '/nonexistent')).code).toBe(1);
  });

  it('wharf: read-only commands on a home with a source and an installed plugin', async () => {
    const found = await wharf('--home', home, '--json', '--offline', 'search', 'vowels');
    expect(JSON.parse(found.stdout)[0]?.plugin_id).toBe('count-vowels');
    expect((await wharf('--home', home, '--offline', 'search', 'vowels')).stdout).toContain('count-vowels@0.1.0');
    expect((await wharf('--home', home, '--offline', 'info', 'count-vowels')).stdout).toContain('installed: 0.1.0');
    expect((await wharf('--home', home, '--json', 'list')).stdout).toContain('"count-vowels"');
    expect((await wharf('--home', home, 'source', 'list')).stdout).toContain('local');
    expect((await wharf('--home', home, 'outdated', '--offline')).stdout).toBe('everything is up to date\n');
    expect((await wharf('--home', home, 'verify')).code).toBe(0);
    const missing = await wharf('--home', home, '--json', '--offline', 'info', 'no-such-plugin');
    expect(JSON.parse(missing.stdout).error.code).toMatch(/^E_/);
  });

  it('wharf: commands that load the install pipeline and the sandbox', async () => {
    const ran = await wharf('--home', home, 'run', 'count-vowels', 'count_vowels', '--input', 'Hello World');
    expect(ran.stdout).toBe('{"count":3}');
    expect(ran.stderr).toBe('');
    const inst = await runCli(wharfBundle, ['--home', home, '--json', 'install', 'greet']);
    expect(inst.code, inst.stderr).toBe(0);
    expect(JSON.parse(inst.stdout).id).toBe('greet');
  });

  it("wharf: plugin init --help lists init-project's languages", async () => {
    const help = (await wharf('plugin', 'init', '--help')).stdout.replace(/\s+/g, ' ');
    expect(help).toContain(`source language: ${LANGS.join(' or ')}`);
  });

  it('wharf-admin: --help, validate, usage errors', async () => {
    expect((await admin('--help')).stdout).toContain('Usage: wharf-admin');
    const v = await admin('--json', 'validate', join(REPO, 'examples/count-vowels/plugin.json'));
    expect(JSON.parse(v.stdout)).toMatchObject({ kind: 'manifest', problems: [] });
    expect((await admin('no-such-command')).code).toBe(2);
  });

  it('is one file directly in the output dir (import.meta.url-relative paths still resolve), with its code caches', () => {
    for (const d of outs) {
      const files = readdirSync(d).filter((f) => !f.endsWith('.map') && f !== 'validators-cold.cjs');
      expect(files.filter((f) => f.endsWith('.cjs'))).toHaveLength(1);
      expect(files).toContain(`${files.find((f) => f.endsWith('.cjs'))}.cache`);
      // The rest: one cache per repeated command (<name>.cjs.<command>.cache).
      for (const f of files) expect(f).toMatch(/\.cjs(\.[a-z]+)?(\.cache)?$/);
    }
  });

  it('wharf keeps the validators its starts seldom run in a file apart; a command that needs one loads it', async () => {
    const registryId = 'https://wharf.dev/schemas/registry.schema.json'; // the registry schema's $id
    const side = join(dirname(wharfBundle), 'validators-cold.cjs');
    expect(readFileSync(wharfBundle, 'latin1')).not.toContain(registryId);
    expect(readFileSync(side, 'latin1')).toContain(registryId);
    // wharf-admin validates registries and manifests all day: they stay in its bundle.
    expect(readFileSync(adminBundle, 'latin1')).toContain(registryId);
    expect(existsSync(join(dirname(adminBundle), 'validators-cold.cjs'))).toBe(false);
    // A cold refresh of a monolithic source validates the registry it fetched (the registry validator, from the
    // side file); a bad plugin.json is refused by the manifest validator, with the modules' own words.
    const fresh = join(root, 'fresh-home');
    const add = await runCli(wharfBundle, [
      '--home',
      fresh,
      'source',
      'add',
      'local',
      demo.server.url,
      '--root-sha256',
      demo.reg.rootSha256,
    ]);
    expect(add.code, add.stderr).toBe(0);
    const refreshed = await runCli(wharfBundle, ['--home', fresh, '--json', 'refresh']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect((await runCli(wharfBundle, ['--home', fresh, '--offline', 'search', 'greet'])).stdout).toContain('greet@');
    const project = join(root, 'bad-project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'plugin.json'), JSON.stringify({ id: 'bad-project', name: 'Bad' }));
    const refused = await wharf('--json', 'plugin', 'build', project);
    expect(refused.code).not.toBe(0);
    expect(JSON.parse(refused.stdout).error.code).toBe('E_SCHEMA');
  });

  // bin/run-bundle.cjs, as the bins run it: V8 takes the cache made at build time (a rejected one would only cost
  // the compile time it saves, so nothing else would notice).
  it('runs the bundle with its code cache accepted, and the same output as the modules', async () => {
    const loader = join(REPO, 'client/bin/run-bundle.cjs');
    const viaLoader = (bundle: string, args: string[]) =>
      runCli(join(root, 'via-loader.mjs'), [bundle, ...args], { env: { WHARF_DEBUG_CODE_CACHE: '1' } });
    writeFileSync(
      join(root, 'via-loader.mjs'),
      `const [b] = process.argv.splice(2, 1);\nawait (await import(${JSON.stringify(loader)})).runBundle(b);\n`,
    );
    for (const args of [['--version'], ['--home', home, 'list'], ['--home', home, '--offline', 'search', 'vowels']]) {
      const [b, m] = await Promise.all([
        viaLoader(wharfBundle, args),
        runCli(join(REPO, 'client/dist/cli/entry.js'), args),
      ]);
      expect(b, args.join(' ')).toEqual(m);
    }
    // A repeated command starts with its own cache, trained on that command alone, as does an argv with no command
    // (`top`: --help, --version); the others with the whole one.
    const taken = async (args: string[]) =>
      (
        await runCli(join(root, 'via-loader.mjs'), [wharfBundle, ...args], {
          env: { WHARF_DEBUG_CODE_CACHE: 'verbose' },
        })
      ).stderr;
    expect(await taken(['--home', home, '--offline', 'search', 'vowels'])).toBe(
      `code cache ${wharfBundle}.search.cache accepted\n`,
    );
    expect(await taken(['--home', home, 'list'])).toBe(`code cache ${wharfBundle}.list.cache accepted\n`);
    expect(await taken(['--version'])).toBe(`code cache ${wharfBundle}.top.cache accepted\n`);
    // (then its refusal: nothing is installed under that name)
    expect((await taken(['--home', home, 'uninstall', 'nothing'])).split('\n')[0]).toBe(
      `code cache ${wharfBundle}.cache accepted`,
    );
    const a = await viaLoader(adminBundle, ['--help']);
    expect(a.stderr).toBe('');
    expect(a.stdout).toContain('Usage: wharf-admin');
  });
});

// bin/wharf.js runs the bundle only while it is at least as new as the last tsc build of client and schemas.
describe('bin/wharf.js picks the bundle or the tsc build', () => {
  const root = tempDir('bin');
  const pkg = join(root, 'client');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const layout = () => {
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    mkdirSync(join(pkg, 'dist', 'bundle'), { recursive: true });
    mkdirSync(join(pkg, 'dist', 'cli'), { recursive: true });
    mkdirSync(join(root, 'schemas'), { recursive: true });
    for (const f of ['wharf.js', 'wharf.cjs', 'run-bundle.cjs'])
      copyFileSync(join(REPO, 'client/bin', f), join(pkg, 'bin', f));
    writeFileSync(join(pkg, 'dist', 'bundle', 'wharf.cjs'), "process.stdout.write('bundle');\n");
    writeFileSync(join(pkg, 'dist', 'cli', 'entry.js'), "process.stdout.write('modules');\n");
    writeFileSync(join(pkg, 'package.json'), '{"type":"module"}\n');
  };
  const at = (file: string, seconds: number) => {
    writeFileSync(file, '{}');
    utimesSync(file, seconds, seconds);
  };
  const bin = () => runCli(join(pkg, 'bin', 'wharf.js'), []);

  it('bundle newer than both tsbuildinfo files: the bundle', async () => {
    layout();
    at(join(pkg, 'tsconfig.tsbuildinfo'), 1000);
    at(join(root, 'schemas', 'tsconfig.tsbuildinfo'), 1000);
    utimesSync(join(pkg, 'dist', 'bundle', 'wharf.cjs'), 2000, 2000);
    expect((await bin()).stdout).toBe('bundle');
  });

  it('tsc rebuilt client or schemas after the bundle: the tsc build', async () => {
    layout();
    utimesSync(join(pkg, 'dist', 'bundle', 'wharf.cjs'), 2000, 2000);
    at(join(pkg, 'tsconfig.tsbuildinfo'), 3000);
    at(join(root, 'schemas', 'tsconfig.tsbuildinfo'), 1000);
    expect((await bin()).stdout).toBe('modules');
    at(join(pkg, 'tsconfig.tsbuildinfo'), 1000);
    at(join(root, 'schemas', 'tsconfig.tsbuildinfo'), 3000);
    expect((await bin()).stdout).toBe('modules');
  });

  it('no bundle (a build without the bundle step): the tsc build', async () => {
    layout();
    rmSync(join(pkg, 'dist', 'bundle'), { recursive: true });
    expect((await bin()).stdout).toBe('modules');
  });

  it('an installed package (no tsbuildinfo beside it): the bundle', async () => {
    layout();
    expect((await bin()).stdout).toBe('bundle');
  });
});
