// `wharf-admin export --format wxauto` read back by WXAUTO-MGT's own parsing rules (a faithful re-implementation
// of decentralized_marketplace.py @ 7598128: _parse_registry_data, get_plugin_statistics, check_plugin_updates),
// for a registry holding GitHub, Gitee, Codeberg, other-forge and repository-less plugins; and the import →
// export round trip of the real WXAUTO-MGT registry.
import { existsSync, readFileSync } from 'node:fs';
import { Catalog, catalogStats, type LegacySnapshot } from '@wharf/client';
import { type Manifest, type Registry, readRegistry, validateRegistry } from '@wharf/schemas';
import { describe, expect, it } from 'vitest';
import { addRelease } from '../src/index.js';
import { exportWxauto, importWxauto } from '../src/publish-bot/wxauto-format.js';
import { emptyRegistry } from '../src/registry/init.js';
import { manifest } from './fixtures.js';

const WXAUTO_REGISTRY = '/work/shared/data/wxauto/registry.json';
const HAVE_DATA = existsSync(WXAUTO_REGISTRY);

// ---------------------------------------------------------------------------------------------------------------
// WXAUTO-MGT's client, rule by rule. Python dataclasses take keyword arguments: a missing field without a default
// or an unknown key raises TypeError, and _parse_registry_data then skips ("解析插件 … 失败") that whole entry.

type Doc = Record<string, unknown>;

/** `Cls(**data)`: every required field present, no key outside the fields. Throws like Python would. */
function dataclass(name: string, data: unknown, required: string[], optional: string[] = []): Doc {
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new TypeError(`${name}() argument after ** must be a mapping`);
  const d = data as Doc;
  for (const k of Object.keys(d))
    if (!required.includes(k) && !optional.includes(k))
      throw new TypeError(`${name}() got an unexpected keyword '${k}'`);
  for (const k of required) if (!(k in d)) throw new TypeError(`${name}() missing required argument '${k}'`);
  return d;
}

interface Parsed {
  plugins: Map<string, Doc>;
  skipped: Array<{ id: unknown; why: string }>;
}

function wxautoParse(doc: Doc): Parsed {
  const plugins = new Map<string, Doc>();
  const skipped: Parsed['skipped'] = [];
  for (const p of (doc.plugins as Doc[] | undefined) ?? []) {
    try {
      dataclass('PluginAuthor', p.author ?? {}, ['name', 'github', 'email'], ['website']);
      const repository: Record<string, Doc> = {};
      for (const [type, info] of Object.entries((p.repository as Doc | undefined) ?? {}))
        if (type !== 'type' && info !== null && typeof info === 'object' && !Array.isArray(info))
          repository[type] = dataclass('PluginRepository', { ...(info as Doc), type }, [
            'type',
            'url',
            'api_url',
            'releases_url',
          ]);
      dataclass('PluginVersions', p.versions ?? {}, ['latest', 'stable', 'minimum_supported']);
      dataclass(
        'PluginCompatibility',
        p.compatibility ?? {},
        ['min_wxauto_version'],
        ['max_wxauto_version', 'python_version', 'supported_os'],
      );
      if (p.stats) dataclass('PluginStats', p.stats, [], ['downloads', 'stars', 'forks', 'rating', 'rating_count']);
      if (p.review)
        dataclass('PluginReview', p.review, ['reviewer', 'review_date', 'security_score', 'quality_score', 'comments']);
      if (!('plugin_id' in p)) throw new TypeError("KeyError: 'plugin_id'");
      if (!('name' in p)) throw new TypeError("KeyError: 'name'");
      plugins.set(String(p.plugin_id), { ...p, repository, status: p.status ?? 'active' });
    } catch (e) {
      skipped.push({ id: p.plugin_id, why: (e as Error).message });
    }
  }
  return { plugins, skipped };
}

/** get_plugin_statistics(): totals over every parsed entry, featured/verified over active ones. */
function wxautoStats(parsed: Parsed) {
  const all = [...parsed.plugins.values()];
  const active = all.filter((p) => p.status === 'active');
  const category_stats: Record<string, number> = {};
  for (const p of all) category_stats[String(p.category)] = (category_stats[String(p.category)] ?? 0) + 1;
  return {
    total_plugins: all.length,
    featured_plugins: active.filter((p) => p.featured).length,
    verified_plugins: active.filter((p) => p.verified).length,
    total_downloads: all.reduce((n, p) => n + Number((p.stats as Doc | undefined)?.downloads ?? 0), 0),
    category_stats,
  };
}

/** check_plugin_updates(): any parsed entry whose versions.latest is above the installed one. */
function wxautoUpdates(parsed: Parsed, installed: Record<string, string>): string[] {
  const cmp = (a: string, b: string) => {
    const pa = a.replace(/^v/, '').split('.').map(Number);
    const pb = b.replace(/^v/, '').split('.').map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++)
      if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  };
  return Object.entries(installed)
    .filter(([id, v]) => {
      const p = parsed.plugins.get(id);
      return p && cmp(String((p.versions as Doc).latest), v) > 0;
    })
    .map(([id]) => id);
}

// ---------------------------------------------------------------------------------------------------------------

const NOW = new Date('2026-11-01T00:00:00Z');
let n = 0;
function withRelease(reg: Registry, over: Record<string, unknown>): Registry {
  n += 1;
  const m = manifest(over) as unknown as Manifest;
  return addRelease(reg, {
    manifest: m,
    artifact: {
      name: 'plugin.wasm',
      size: 8,
      sha256: String(n).padStart(64, '0'),
      urls: ['https://cdn.example/x.wasm'],
    },
    minisig: 'untrusted comment: x\nRUQ=\ntrusted comment: x\nx\n',
    keyid: '0123456789abcdef',
    publicKey: `RWQ${'A'.repeat(53)}`,
    now: NOW,
  });
}

function mixedRegistry(): Registry {
  let r = emptyRegistry('mixed forges', NOW);
  const forge = (id: string, repository: string) =>
    withRelease(r, { id, name: id, repository, homepage: repository, author: { name: 'A', github: 'octo' } });
  r = forge('on-github', 'https://github.com/octo/on-github');
  r = forge('on-gitee', 'https://gitee.com/octo/on-gitee');
  r = forge('on-codeberg', 'https://codeberg.org/octo/on-codeberg');
  r = forge('on-own-forge', 'https://git.example.org/octo/on-own-forge');
  r = withRelease(r, {
    id: 'no-repo',
    name: 'No repo',
    repository: undefined,
    homepage: 'https://example.org/no-repo',
  });
  r = forge('was-suspended', 'https://github.com/octo/was-suspended');
  r = forge('was-removed', 'https://github.com/octo/was-removed');
  r = forge('is-deprecated', 'https://github.com/octo/is-deprecated');
  const status = { 'was-suspended': 'suspended', 'was-removed': 'removed', 'is-deprecated': 'deprecated' } as const;
  r.plugins = r.plugins.map((p) => ({
    ...p,
    ...(p.plugin_id in status ? { status: status[p.plugin_id as keyof typeof status] } : {}),
    // Lists no repository at all, only its homepage.
    ...(p.plugin_id === 'no-repo' ? { repository: { primary: { url: 'https://example.org/no-repo' } } } : {}),
    featured: p.plugin_id !== 'on-gitee',
    verified: true,
    stats: { downloads: 10, stars: 1 },
  }));
  expect(validateRegistry(r).ok).toBe(true);
  return r;
}

describe('export --format wxauto, read by WXAUTO-MGT rules', () => {
  const registry = mixedRegistry();
  const doc = exportWxauto(registry) as Doc;
  const parsed = wxautoParse(doc);

  it('keeps every active and deprecated entry whole, whatever forge (or none) hosts it', () => {
    expect(parsed.skipped).toEqual([]);
    expect([...parsed.plugins.keys()].sort()).toEqual(
      ['is-deprecated', 'no-repo', 'on-codeberg', 'on-gitee', 'on-github', 'on-own-forge'].sort(),
    );
  });

  it('releases_url is the forge REST list, never the HTML releases page', () => {
    const primary = (id: string) => (parsed.plugins.get(id)?.repository as Record<string, Doc> | undefined)?.primary;
    expect(primary('on-github')).toMatchObject({
      url: 'https://github.com/octo/on-github',
      api_url: 'https://api.github.com/repos/octo/on-github',
      releases_url: 'https://api.github.com/repos/octo/on-github/releases',
    });
    expect(primary('on-gitee')).toMatchObject({
      api_url: 'https://gitee.com/api/v5/repos/octo/on-gitee',
      releases_url: 'https://gitee.com/api/v5/repos/octo/on-gitee/releases',
    });
    expect(primary('on-codeberg')?.releases_url).toBe('https://codeberg.org/api/v1/repos/octo/on-codeberg/releases');
    // No known API: present (the dataclass needs it) and empty, not a page that isn't JSON.
    expect(primary('on-own-forge')).toMatchObject({
      url: 'https://git.example.org/octo/on-own-forge',
      releases_url: '',
    });
    expect(primary('no-repo')).toMatchObject({ url: 'https://example.org/no-repo', api_url: '', releases_url: '' });
    for (const p of parsed.plugins.values())
      expect(String(((p.repository as Record<string, Doc>).primary as Doc).releases_url)).not.toMatch(
        /^https:\/\/github\.com\//,
      );
  });

  it('leaves suspended and removed plugins out, so no WXAUTO client offers them as updates', () => {
    expect(wxautoUpdates(parsed, { 'was-removed': '0.0.1', 'was-suspended': '0.0.1', 'on-github': '0.0.1' })).toEqual([
      'on-github',
    ]);
  });

  it('metadata equals get_plugin_statistics() over the export and `wharf stats` on it as a source', () => {
    const ref = wxautoStats(parsed);
    expect(doc.metadata).toMatchObject({
      total_plugins: ref.total_plugins,
      featured_plugins: ref.featured_plugins,
      verified_plugins: ref.verified_plugins,
      total_downloads: ref.total_downloads,
    });
    // What a wharf client holds after `source add wx <url> --type wxauto` and a refresh of this file.
    const snap: LegacySnapshot = {
      alias: 'wx',
      registry: readRegistry(JSON.parse(JSON.stringify(doc))),
      targetsVersion: 0,
      mirror: 'https://x/registry.json',
      fetchedAt: NOW.toISOString(),
      sha256: '',
      stale: false,
      legacy: { type: 'wxauto', unverified: true, source_sha256: '', permissions: {}, notes: [] },
    };
    const cat = new Catalog(
      {
        sources_version: 1,
        sources: [{ alias: 'wx', type: 'wxauto', mirrors: ['https://x/registry.json'], priority: 10 }],
      },
      [snap],
    );
    expect(catalogStats(cat)).toMatchObject(ref);
  });
});

describe.skipIf(!HAVE_DATA)('import → export round trip of the real WXAUTO-MGT registry', () => {
  const original = JSON.parse(readFileSync(WXAUTO_REGISTRY, 'utf8')) as Doc & { plugins: Doc[] };
  const { registry } = importWxauto(emptyRegistry('round trip', NOW), original);
  const doc = exportWxauto(registry) as Doc & { plugins: Doc[] };

  it('gives back every entry as it was, field for field (ids, compatibility, permissions, text, review…)', () => {
    expect(wxautoParse(doc).skipped).toEqual([]);
    expect(doc.plugins.map((p) => p.plugin_id)).toEqual(original.plugins.map((p) => p.plugin_id));
    for (const [i, want] of original.plugins.entries()) expect(doc.plugins[i], String(want.plugin_id)).toEqual(want);
  });

  it('keeps full-width punctuation in display text (NFC, not NFKC)', () => {
    const text = JSON.stringify(original.plugins.map((p) => [p.name, p.description]));
    expect(text).toMatch(/[，（）：]/);
    expect(JSON.stringify(doc.plugins.map((p) => [p.name, p.description]))).toBe(text);
  });

  it('the ids stay the WXAUTO ones on export, and readRegistry keeps them as legacy_id', () => {
    const r = readRegistry(original);
    expect(r.plugins.map((p) => [p.plugin_id, p.legacy_id])).toContainEqual([
      'smart-keyword-matcher',
      'smart_keyword_matcher',
    ]);
  });
});
