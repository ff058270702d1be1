import type { RegistryPlugin } from '@wharf/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../../test/fuzz/only-wharf-errors.js';
import { addCounts, apiCount, MAX_COUNT } from '../../src/stats/api-counts.js';
import { applyStats } from '../../src/stats/publish-stats.js';
import { pluginRepos, repoLocation } from '../../src/stats/repo-location.js';

describe('apiCount: counts from an API answer are network input', () => {
  it.each([
    [0, 0],
    [42, 42],
    [MAX_COUNT, MAX_COUNT],
    [2 ** 60, MAX_COUNT],
    [Number.POSITIVE_INFINITY, MAX_COUNT],
    [2n ** 70n, MAX_COUNT],
    [12n, 12],
  ])('accepts %s as %s', (v, want) => {
    expect(apiCount(v, 'x')).toBe(want);
  });

  it.each([
    [-1],
    [-1n],
    [1.5],
    [Number.NaN],
    [Number.NEGATIVE_INFINITY],
    ['12'],
    [null],
    [undefined],
    [{}],
    [[3]],
    [true],
  ])('refuses %s with E_SCHEMA', (v) => {
    expect(() => apiCount(v, 'x')).toThrow(expect.objectContaining({ code: 'E_SCHEMA' }));
  });

  it('returns a registry-valid count or refuses with an E_ code, whatever the JSON', () => {
    fuzz(fc.oneof(fc.jsonValue(), fc.double(), fc.bigInt()), (v) => {
      const n = apiCount(v, 'x');
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad count ${n}`);
    });
  });

  it('sums saturate', () => {
    expect(addCounts(MAX_COUNT, 1)).toBe(MAX_COUNT);
    expect(addCounts(2, 3)).toBe(5);
  });
});

describe('repoLocation: only github.com and gitee.com repositories, from the registry URL', () => {
  it.each([
    ['https://github.com/alice/greet', { host: 'github', owner: 'alice', repo: 'greet' }],
    ['https://github.com/alice/greet.git', { host: 'github', owner: 'alice', repo: 'greet' }],
    ['https://gitee.com/bob/x.y_z/', { host: 'gitee', owner: 'bob', repo: 'x.y_z' }],
  ])('%s', (url, want) => {
    expect(repoLocation(url)).toEqual(want);
  });

  it.each([
    'http://github.com/alice/greet',
    'https://github.com/alice',
    'https://github.com/alice/greet/releases',
    'https://github.com.evil.example/alice/greet',
    'https://evil.example/github.com/alice/greet',
    'https://github.com/alice/..',
    'https://github.com/../greet',
    'https://github.com/alice/gr%2Fet',
    'https://user@github.com/alice/greet',
  ])('refuses %s', (url) => {
    expect(repoLocation(url)).toBeUndefined();
  });

  it('counts a Gitee mirror only beside a primary on another host', () => {
    const p = (primary: string, mirror?: string) =>
      ({ repository: { primary: { url: primary }, ...(mirror ? { mirror: { url: mirror } } : {}) } }) as RegistryPlugin;
    expect(pluginRepos(p('https://github.com/a/b', 'https://gitee.com/a/b')).mirror?.host).toBe('gitee');
    expect(pluginRepos(p('https://gitee.com/a/b', 'https://gitee.com/a/c')).mirror).toBeUndefined();
  });
});

describe('applyStats', () => {
  const plugin = (id: string, downloads: number, stars: number) =>
    ({ plugin_id: id, stats: { downloads, stars }, updated_at: '2026-01-01T00:00:00.000Z' }) as RegistryPlugin;
  const registry = { last_updated: '2026-01-01T00:00:00.000Z', plugins: [plugin('a', 1, 1), plugin('b', 2, 2)] };

  it('changes only the stats of plugins whose numbers differ, never updated_at or last_updated', () => {
    const now = new Date('2026-12-02T06:00:00Z');
    const counts = new Map([
      ['a', { downloads: 1, stars: 1 }],
      ['b', { downloads: 5, stars: 2 }],
      ['gone', { downloads: 9, stars: 9 }],
    ]);
    const r = applyStats(registry as never, counts, now);
    expect(r.changes.map((c) => c.plugin_id)).toEqual(['b']);
    expect(r.registry.plugins[0]).toBe(registry.plugins[0]);
    expect(r.registry.plugins[1]).toMatchObject({
      stats: { downloads: 5, stars: 2, updated_at: now.toISOString() },
      updated_at: '2026-01-01T00:00:00.000Z',
    });
    expect(r.registry.last_updated).toBe(registry.last_updated);
    expect(applyStats(registry as never, new Map([['a', { downloads: 1, stars: 1 }]]), now).registry).toBe(registry);
  });
});
