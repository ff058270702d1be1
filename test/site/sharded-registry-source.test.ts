// The catalog reads a sharded registry (DESIGN §3 "At scale"): registry.json is then an unsigned summary and the
// entries live in registry-head.json and plugins/<id>.json. The site must see the same catalog as from the
// monolithic registry.json it was migrated from, and a summary that points a file elsewhere fails the build.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDemoRegistry, migrateToSharded } from '@wharf/tools';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXAMPLES, tempDir } from '../helpers/demo.js';

let root: string;
let monolithic: string;
let sharded: string;

beforeAll(async () => {
  root = tempDir('site-sharded');
  const artifacts = join(root, 'artifacts');
  cpSync(EXAMPLES, artifacts, { recursive: true, filter: (s) => !s.includes('node_modules') });
  mkdirSync(join(root, 'registry'));
  const reg = await buildDemoRegistry({
    dir: join(root, 'registry'),
    examplesDir: artifacts,
    artifactBaseUrl: 'https://example.org/artifacts',
    only: ['count-vowels', 'greet', 'word-stats'],
  });
  monolithic = join(root, 'monolithic');
  cpSync(reg.registryDir, monolithic, { recursive: true });
  await migrateToSharded(reg.registryDir, { keysDir: reg.keysDir, bitLength: 4 });
  sharded = reg.registryDir;
});

afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

async function load(registryJson: string) {
  vi.stubEnv('WHARF_REGISTRY', registryJson);
  vi.resetModules();
  const { loadRegistry } = await import('../../site/src/lib/registry-source.js');
  return loadRegistry();
}

describe('site registry source', () => {
  it('reads a sharded registry as the same catalog as its monolithic original', async () => {
    const summary = JSON.parse(readFileSync(join(sharded, 'registry.json'), 'utf8'));
    expect(summary.layout?.kind).toBe('sharded');
    const mono = await load(join(monolithic, 'registry.json'));
    const shard = await load(join(sharded, 'registry.json'));
    expect(shard.registry.plugins.map((p) => p.plugin_id)).toEqual(['count-vowels', 'greet', 'word-stats']);
    expect(shard.registry.plugins).toEqual(mono.registry.plugins);
    expect(shard.registry.categories).toEqual(mono.registry.categories);
  });

  it('refuses a summary entry whose file is not its own plugin file', async () => {
    const bad = join(root, 'bad');
    cpSync(sharded, bad, { recursive: true });
    const summary = JSON.parse(readFileSync(join(bad, 'registry.json'), 'utf8'));
    summary.plugins[0].file = '../monolithic/registry.json';
    writeFileSync(join(bad, 'registry.json'), JSON.stringify(summary));
    await expect(load(join(bad, 'registry.json'))).rejects.toThrow(/names no plugin file of its own/);
    summary.plugins[0].file = 'plugins/greet.json';
    writeFileSync(join(bad, 'registry.json'), JSON.stringify(summary));
    await expect(load(join(bad, 'registry.json'))).rejects.toThrow(/names no plugin file of its own/);
  });
});
