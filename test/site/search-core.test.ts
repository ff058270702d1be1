// The search engine the site ships (site/src/lib/search-core.js), in Node: tokenizing, matching rules, filters
// and what the index may contain. The browser half is in site.test.ts.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Registry } from '@wharf/schemas';
import { describe, expect, it } from 'vitest';
import { buildSearchIndex, createEngine, tokenize } from '../../site/src/lib/search-core.js';
import { fixtureRegistry, RICH_ID } from './fixture-registry.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const registry: Registry = fixtureRegistry(REPO);
const json = JSON.stringify(buildSearchIndex(registry.plugins));
const engine = createEngine(json);
const ids = (q: string, f = {}) => engine.query(q, f).rows.map((r) => r[0]);

describe('search-core', () => {
  it('splits words and indexes CJK runs as bigrams', () => {
    expect(tokenize('Count-Vowels v2')).toEqual(['count', 'vowels', 'v2']);
    expect(tokenize('统计元音ABC')).toEqual(['统计', '计元', '元音', 'abc']);
    expect(tokenize('字')).toEqual(['字']);
  });

  it('prefix-matches the term being typed, and ranks id/name matches first', () => {
    expect(ids('vowel')[0]).toBe('count-vowels');
    expect(ids('vow')[0]).toBe('count-vowels');
    expect(ids('v')).toEqual([]); // one Latin letter is not a prefix query
  });

  it('combines terms with AND and tolerates one typo in longer words', () => {
    expect(ids('count greeting')).toEqual([]);
    expect(ids('vowels counts')).toContain('count-vowels');
    expect(ids('vowelz')).toContain('count-vowels');
  });

  it('finds Chinese text inside a sentence, and a single character by prefix', () => {
    expect(ids('春节快乐')).toEqual(['festival-greeter']);
    expect(ids('元音')).toContain('count-vowels');
    expect(ids('元')).toContain('count-vowels');
  });

  it('filters by category, tag and verified; an empty query browses by downloads', () => {
    expect(ids('example', { category: 'entertainment' })).toEqual(['greet']);
    expect(ids('', { tag: 'finance' })).toEqual([RICH_ID]);
    expect(ids('', { verified: true })).not.toContain('festival-greeter');
    const all = engine.query('').rows.map((r) => r[8]);
    expect(all).toEqual([...all].sort((a, b) => b - a));
  });

  it('ships no hashes, signatures or version history', () => {
    for (const p of registry.plugins) {
      for (const r of p.releases) {
        expect(json).not.toContain(r.artifact.sha256);
        expect(json).not.toContain(r.minisig.split('\n')[1]);
      }
    }
    const committed = readFileSync(join(REPO, 'registry', 'registry.json'), 'utf8');
    expect(json.length).toBeLessThan(committed.length);
  });

  it('in a large catalog, leaves out words most entries share, on both the index and the query side', () => {
    const base = registry.plugins[0] as Registry['plugins'][number];
    const many = Array.from({ length: 600 }, (_, i) => ({
      ...base,
      plugin_id: `p${i}-x`,
      name: `Plugin ${i}`,
      short_description: `Handles markdown for vault ${i % 10 ? 'links' : 'tables'}`,
      description: `Handles markdown for vault ${i % 10 ? 'links' : 'tables'}`,
    }));
    const index = buildSearchIndex(many);
    expect(index.common).toEqual(expect.arrayContaining(['handles', 'markdown', 'vault']));
    expect(index.common).not.toContain('tables'); // in a tenth of the entries: kept
    const e = createEngine(JSON.stringify(index));
    expect(e.query('markdown tables').total).toBe(60);
    expect(e.query('markdown').total).toBe(600); // only common words: browse everything
  });
});
