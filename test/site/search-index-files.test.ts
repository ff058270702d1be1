// The search index the site ships (site/src/lib/search-index-files.ts): what its files may contain, and that the
// real engine over them finds what a visitor types. The matching rules themselves are schemas/test/search-index.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Registry } from '@wharf/schemas';
import { openSearchIndex } from '@wharf/schemas/search-index';
import { describe, expect, it } from 'vitest';
import { searchIndexFiles } from '../../site/src/lib/search-index-files.js';
import { fixtureRegistry, RICH_ID } from './fixture-registry.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const registry: Registry = fixtureRegistry(REPO);
const files = searchIndexFiles(registry.plugins);
const engine = openSearchIndex(files.get('manifest.json') as string, async (path) => files.get(path) ?? '');
const ids = async (q: string, o = {}) => (await engine.query(q, o)).hits.map((h) => h.id);

describe('the site search index', () => {
  it('finds plugins by name, prefix, typo, Chinese and category', async () => {
    expect((await ids('vowel'))[0]).toBe('count-vowels');
    expect((await ids('vow'))[0]).toBe('count-vowels');
    expect(await ids('vowelz')).toContain('count-vowels');
    expect(await ids('春节快乐')).toEqual(['festival-greeter']);
    expect(await ids('元')).toContain('count-vowels');
    expect(await ids('example', { category: 'entertainment' })).toEqual(['greet']);
    expect(await ids('finance')).toContain(RICH_ID);
  });

  it('leaves out suspended plugins, as the CLI and the signed index do', async () => {
    const plugins = registry.plugins.map((p) => (p.plugin_id === 'greet' ? { ...p, status: 'suspended' as const } : p));
    const f = searchIndexFiles(plugins);
    const idx = openSearchIndex(f.get('manifest.json') as string, async (path) => f.get(path) ?? '');
    expect((await idx.query('greet')).hits.map((h) => h.id)).not.toContain('greet');
    expect(await ids('greet')).toContain('greet');
  });

  it('ships no hashes, signatures, version history or publisher id buckets', () => {
    const text = [...files.values()].join('\n');
    for (const p of registry.plugins) {
      for (const r of p.releases) {
        expect(text).not.toContain(r.artifact.sha256);
        expect(text).not.toContain(r.minisig.split('\n')[1]);
      }
    }
    expect([...files.keys()].filter((p) => p.startsWith('i/'))).toEqual([]);
    const committed = readFileSync(join(REPO, 'registry', 'registry.json'), 'utf8');
    expect(text.length).toBeLessThan(committed.length);
  });
});
