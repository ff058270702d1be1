import { describe, expect, it } from 'vitest';
import {
  isWharfError,
  mapWxautoPermissions,
  readManifest,
  readManifestWithNotes,
  readRegistry,
  readRegistryWithNotes,
  validateDocument,
  validateManifest,
  validateRegistry,
  WXAUTO_PERMISSIONS,
} from '../src/index.js';
import { hasSharedData, readShared, sharedJsonFiles } from './shared-data.js';

describe.skipIf(!hasSharedData)('legacy samples', () => {
  const manifests = [...sharedJsonFiles('wxauto/plugin-manifests'), ...sharedJsonFiles('extismx')];

  it('finds the samples', () => {
    expect(manifests.length).toBe(7);
  });

  it.each(manifests)('%s maps to a valid native manifest', (file) => {
    const raw = readShared(file);
    const { manifest, kind, notes } = readManifestWithNotes(raw);
    expect(kind).toMatch(/^(wxauto|extismx)-manifest$/);
    expect(validateManifest(manifest)).toEqual({ ok: true, value: manifest });
    expect(validateDocument(raw)).toEqual({ kind, problems: [] });
    // A mapped manifest is native: reading it again changes nothing.
    expect(readManifest(JSON.parse(JSON.stringify(manifest)))).toEqual(manifest);
    expect(Array.isArray(notes)).toBe(true);
  });

  it('maps WXAUTO manifest details', () => {
    const { manifest, notes } = readManifestWithNotes(readShared('wxauto/plugin-manifests/openai_platform.json'));
    expect(manifest).toMatchObject({
      id: 'openai-platform',
      name: 'OpenAI平台插件',
      name_zh: 'OpenAI平台插件',
      version: '1.0.0',
      author: { name: 'WXAUTO-MGT Team' },
      category: 'utility',
      wasm: 'plugin.wasm',
      exports: [],
      permissions: {
        allowed_hosts: ['*'],
        config_keys: ['api_base', 'api_key', 'model', 'temperature', 'max_tokens', 'system_prompt', 'timeout'],
      },
    });
    expect(manifest.permissions.justifications?.allowed_hosts).toMatch(/network\.http/);
    expect(notes.join('\n')).toMatch(/openai_platform/);
  });

  it('maps Extism-demo exports, author and wasm', () => {
    const rust = readManifest(readShared('extismx/rust-pdk.plugin.json'));
    expect(rust).toMatchObject({
      id: 'hello-rust',
      wasm: 'hello.wasm',
      author: { name: 'Extism Authors', email: 'authors@extism.org' },
      tags: ['hello', 'greeting', 'rust'],
      exports: [
        {
          name: 'hello',
          input_schema: { type: 'object', properties: { name: { type: 'string' } } },
          output_schema: { type: 'object', properties: { greeting: { type: 'string' } }, required: ['greeting'] },
        },
      ],
    });
    const py = readManifest(readShared('extismx/python-pdk.plugin.json'));
    expect(py).toMatchObject({ id: 'hello-python-plugin', exports: [{ name: 'hello' }], wasm: 'plugin.wasm' });
  });

  it('maps the WXAUTO registry, keeping every active entry and what a legacy source needs', () => {
    const raw = readShared('wxauto/registry.json') as { plugins: { status?: string; plugin_id: string }[] };
    const active = raw.plugins.filter((p) => (p.status ?? 'active') === 'active');
    expect(active.length).toBe(3);
    const { registry, kind, notes } = readRegistryWithNotes(raw);
    expect(kind).toBe('wxauto-registry');
    expect(notes).toEqual([]);
    expect(validateRegistry(registry).ok).toBe(true);
    expect(validateDocument(raw)).toEqual({ kind: 'wxauto-registry', problems: [] });
    expect(registry.plugins.filter((p) => p.status === 'active')).toHaveLength(active.length);
    expect(registry.plugins.map((p) => p.legacy_id)).toEqual(active.map((p) => p.plugin_id));
    expect(registry.categories.map((c) => c.id)).toEqual([
      'ai_platform',
      'automation',
      'integration',
      'utility',
      'entertainment',
    ]);
    const first = registry.plugins[0];
    expect(first).toMatchObject({
      plugin_id: 'advanced-dify-platform',
      releases: [],
      keys: [],
      versions: { latest: '2.1.0', stable: '2.0.5', minimum_supported: '1.0.0' },
      stats: { downloads: 1250, stars: 89, rating: 4.7 },
      featured: true,
      verified: true,
      status: 'active',
      repository: {
        primary: { releases_url: 'https://api.github.com/repos/zhangsan/wxauto-dify-advanced/releases' },
        mirror: { releases_url: 'https://gitee.com/api/v5/repos/zhangsan/wxauto-dify-advanced/releases' },
      },
    });
    expect(readRegistry(JSON.parse(JSON.stringify(registry)))).toEqual(registry);
  });
});

describe('legacy mapping edge cases', () => {
  const wxEntry = (over: Record<string, unknown>) => ({
    plugin_id: 'a_plugin',
    name: 'A',
    description: 'd',
    category: 'utility',
    repository: { primary: { url: 'https://github.com/o/a' } },
    versions: { latest: '1.0' },
    ...over,
  });

  it('skips unusable WXAUTO entries with a note instead of failing the registry', () => {
    const { registry, notes } = readRegistryWithNotes({
      version: '1.0.0',
      plugins: [
        wxEntry({}),
        wxEntry({ plugin_id: 'a-plugin' }), // collides once '_' becomes '-'
        wxEntry({ plugin_id: '__' }),
        wxEntry({
          plugin_id: 'b_plugin',
          repository: { primary: { url: 'javascript:alert(1)' } },
          homepage: 'http://x',
        }),
        wxEntry({ plugin_id: 'c_plugin', category: 'games', status: 'weird', homepage: 'javascript:alert(1)' }),
      ],
      categories: [],
    });
    expect(registry.plugins.map((p) => p.plugin_id)).toEqual(['a-plugin', 'c-plugin']);
    expect(registry.plugins[0]?.versions).toEqual({ latest: '1.0.0', stable: '1.0.0', minimum_supported: '1.0.0' });
    expect(registry.plugins[1]).toMatchObject({ category: 'utility', status: 'suspended' });
    expect(registry.plugins[1]?.homepage).toBeUndefined();
    expect(notes.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses a legacy manifest whose id cannot be repaired', () => {
    try {
      readManifest({ plugin_id: '../', version: '1.0.0', entry_point: 'main.py' });
      expect.unreachable();
    } catch (e) {
      expect(isWharfError(e, 'E_ID_INVALID')).toBe(true);
    }
  });

  it('refuses documents of another kind', () => {
    expect(() => readManifest({ lockfile_version: 1, plugins: {} })).toThrow(/looks like a lockfile/);
    expect(() => readRegistry({ id: 'abc' })).toThrow(/looks like a manifest/);
  });

  it('applies NFC (full-width text kept) and still refuses bidi text from legacy input', () => {
    const m = readManifest({
      plugin_id: 'x_y',
      name: 'Ｆｕｌｌ',
      version: '1.0.0',
      entry_point: 'main.py',
      description: '',
    });
    expect(m.name).toBe('Ｆｕｌｌ');
    expect(() =>
      readManifest({
        plugin_id: 'x_y',
        name: 'evil\u202etxt',
        version: '1.0.0',
        entry_point: 'main.py',
        description: '',
      }),
    ).toThrow(expect.objectContaining({ code: 'E_TEXT_CONTROL_CHARS' }));
  });
});

describe('mapWxautoPermissions', () => {
  it('knows the 14 WXAUTO-MGT permissions', () => {
    expect(Object.keys(WXAUTO_PERMISSIONS)).toHaveLength(14);
  });

  it('maps supported ones, reports unsupported and unknown ones', () => {
    const r = mapWxautoPermissions([
      'network.https',
      'file.read',
      'file.write',
      'config.read',
      'message.process',
      'system.command',
      'database.write',
      'rm -rf',
    ]);
    expect(r.permissions).toMatchObject({
      allowed_hosts: ['*'],
      allowed_paths: { './data': '/data' },
      wasi: true,
      config_keys: ['*'],
    });
    expect(Object.keys(r.permissions.justifications ?? {}).sort()).toEqual([
      'allowed_hosts',
      'allowed_paths',
      'config_keys',
      'wasi',
    ]);
    expect(r.unsupported).toEqual(['system.command', 'database.write']);
    expect(r.unknown).toEqual(['rm -rf']);
  });

  it('maps nothing to nothing', () => {
    expect(mapWxautoPermissions(['message.process'])).toEqual({ permissions: {}, unsupported: [], unknown: [] });
    expect(mapWxautoPermissions(['__proto__', 'constructor']).unknown).toEqual(['__proto__', 'constructor']);
  });
});
