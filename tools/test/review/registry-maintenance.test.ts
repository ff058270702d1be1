import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRegistryWithNotes, validateRegistry, validateSources } from '@wharf/schemas';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLifecycle } from '../../src/publish-bot/lifecycle.js';
import { parseMaintainers, readMaintainers } from '../../src/publish-bot/maintainers.js';
import { mirrorSync } from '../../src/publish-bot/mirror-sync.js';
import { exportWxauto, importWxauto } from '../../src/publish-bot/wxauto-format.js';
import { addReleaseFromFiles } from '../../src/registry/add-release.js';
import { initRegistry } from '../../src/registry/init.js';
import { readRegistry } from '../../src/registry/store.js';
import { runMain } from '../fixtures.js';
import { createMarket, EXAMPLES, type Market, REPO_ROOT } from './market-fixture.js';

describe('registry files this issue ships', () => {
  it('MAINTAINERS parses (numeric ids only) and sources.json lists the GitHub and Gitee mirrors', () => {
    expect(readMaintainers(join(REPO_ROOT, 'registry', 'MAINTAINERS')).size).toBeGreaterThanOrEqual(0);
    expect([...parseMaintainers('# x\n9001 maintainer # lead\n42\n')]).toEqual([9001, 42]);
    expect(() => parseMaintainers('octocat\n')).toThrow(expect.objectContaining({ code: 'E_SCHEMA' }));
    const sources = validateSources(JSON.parse(readFileSync(join(REPO_ROOT, 'registry', 'sources.json'), 'utf8')));
    expect(sources.ok).toBe(true);
    if (sources.ok) {
      const mirrors = sources.value.sources[0]?.mirrors ?? [];
      expect(mirrors.some((u) => u.startsWith('https://raw.githubusercontent.com/'))).toBe(true);
      expect(mirrors.some((u) => u.startsWith('https://gitee.com/'))).toBe(true);
    }
  });
});

describe('yank / deprecate / remove, export / import wxauto, scan and review through the CLI', () => {
  let dir: string;
  let reg: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wharf-maint-'));
    reg = join(dir, 'registry');
    await initRegistry(reg, { keysDir: join(dir, 'keys') });
    for (const name of ['count-vowels', 'greet']) {
      await addReleaseFromFiles(reg, {
        manifestPath: join(EXAMPLES, name, 'plugin.json'),
        wasmPath: join(EXAMPLES, name, 'plugin.wasm'),
        sigPath: join(EXAMPLES, name, 'plugin.wasm.minisig'),
        urls: [`https://example.com/${name}/plugin.wasm`],
      });
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('yank, deprecate and remove keep the index valid and never delete entries', async () => {
    const { registry } = await readRegistry(reg);
    const yanked = applyLifecycle(registry, 'yank', 'count-vowels@0.1.0', 'broken build');
    const cv = yanked.plugins.find((p) => p.plugin_id === 'count-vowels');
    expect(cv?.releases[0]).toMatchObject({ yanked: true, yanked_reason: 'broken build' });
    expect(cv?.versions.latest).toBe('0.1.0'); // no live version left: the summary keeps the last one
    const dep = applyLifecycle(registry, 'deprecate', 'greet', 'use hello instead');
    expect(dep.plugins.find((p) => p.plugin_id === 'greet')?.status).toBe('deprecated');
    const removed = applyLifecycle(registry, 'remove', 'greet', 'malware');
    expect(removed.plugins).toHaveLength(2);
    expect(removed.plugins.find((p) => p.plugin_id === 'greet')).toMatchObject({ status: 'removed' });
    for (const r of [yanked, dep, removed]) expect(validateRegistry(r).ok).toBe(true);
    expect(() => applyLifecycle(registry, 'yank', '--upload-pack=x', 'x')).toThrow(
      expect.objectContaining({ code: 'E_ID_INVALID' }),
    );
    expect(() => applyLifecycle(registry, 'yank', 'count-vowels@9.9.9', 'x')).toThrow(
      expect.objectContaining({ code: 'E_NO_MATCHING_VERSION' }),
    );
  });

  it('wharf-admin yank edits registry.json; a refusal leaves it byte-identical', async () => {
    const before = readFileSync(join(reg, 'registry.json'));
    const bad = await runMain(['yank', 'nope-plugin@1.0.0', '--reason', 'x', '--registry', reg]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error E_NOT_FOUND/);
    expect(readFileSync(join(reg, 'registry.json'))).toEqual(before);
    const ok = await runMain(['yank', 'greet@0.1.0', '--reason', 'bad', '--registry', reg]);
    expect(ok.code).toBe(0);
    expect((await readRegistry(reg)).registry.plugins.find((p) => p.plugin_id === 'greet')?.releases[0]?.yanked).toBe(
      true,
    );
  });

  it('exports a WXAUTO registry that the WXAUTO reader takes back without dropping entries', async () => {
    const { registry } = await readRegistry(reg);
    const out = join(dir, 'wxauto.json');
    expect((await runMain(['export', '--format', 'wxauto', '--registry', reg, '--out', out])).code).toBe(0);
    const reading = readRegistryWithNotes(JSON.parse(readFileSync(out, 'utf8')));
    expect(reading.kind).toBe('wxauto-registry');
    expect(reading.registry.plugins.map((p) => p.plugin_id).sort()).toEqual(
      registry.plugins.map((p) => p.plugin_id).sort(),
    );
    expect(exportWxauto(registry)).toMatchObject({ metadata: { total_plugins: 2 } });
  });

  it('imports the WXAUTO-MGT registry as unpinned catalog entries', async () => {
    const { registry } = await readRegistry(reg);
    const wx = JSON.parse(readFileSync(join(REPO_ROOT, '..', 'shared', 'data', 'wxauto', 'registry.json'), 'utf8'));
    const r = importWxauto(registry, wx);
    expect(r.added.length).toBeGreaterThan(0);
    expect(r.registry.plugins.filter((p) => r.added.includes(p.plugin_id)).every((p) => p.releases.length === 0)).toBe(
      true,
    );
    expect(validateRegistry(r.registry).ok).toBe(true);
  });

  it('scan and offline review through main()', async () => {
    const ex = (f: string) => join(EXAMPLES, 'word-stats', f);
    const scan = await runMain(['--json', 'scan', ex('plugin.wasm'), '--manifest', ex('plugin.json')]);
    expect(scan.code).toBe(0);
    expect(JSON.parse(scan.stdout).language).toBe('AssemblyScript');
    const junk = join(dir, 'junk.wasm');
    writeFileSync(junk, 'not wasm');
    expect((await runMain(['scan', junk])).code).toBe(1);
    const review = await runMain([
      '--json',
      'review',
      '--manifest',
      ex('plugin.json'),
      '--wasm',
      ex('plugin.wasm'),
      '--sig',
      ex('plugin.wasm.minisig'),
      '--no-smoke',
      '--registry',
      reg,
    ]);
    expect(review.code).toBe(0);
    const report = JSON.parse(review.stdout);
    expect(report.passed).toBe(true);
    expect(report.score_formula).toMatch(/security_score = max\(0, 100/);
  });
});

describe('mirror sync', () => {
  let m: Market;
  beforeAll(async () => {
    m = await createMarket();
  });
  afterAll(async () => m?.close());

  async function commitPlugins(n: number): Promise<void> {
    const path = join(m.workdir, 'registry', 'registry.json');
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    doc.plugins = Array.from({ length: n }, (_, i) => ({ plugin_id: `plugin-${i}` }));
    writeFileSync(path, JSON.stringify(doc));
    const git = simpleGit(m.workdir);
    await git.addConfig('user.name', 't').addConfig('user.email', 't@example.com');
    await git.add('registry').commit(`${n} plugins`);
    await git.push('origin', 'main');
  }

  it('pushes to the mirror, and refuses an index that lost more than 5% (E_MIRROR_SHRINK)', async () => {
    await commitPlugins(20);
    expect(await mirrorSync({ workdir: m.workdir })).toMatchObject({ pushed: true, after: 20 });
    await commitPlugins(19); // exactly 5%: allowed
    expect(await mirrorSync({ workdir: m.workdir })).toMatchObject({ before: 20, after: 19 });
    await commitPlugins(17);
    const head = await simpleGit(m.gitee).revparse(['main']);
    await expect(mirrorSync({ workdir: m.workdir })).rejects.toMatchObject({ code: 'E_MIRROR_SHRINK' });
    expect(await simpleGit(m.gitee).revparse(['main'])).toBe(head);
  });
});
