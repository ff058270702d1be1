import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assertManifest,
  detectKind,
  isWharfError,
  type Manifest,
  type Registry,
  readManifest,
  readRegistry,
  validateDocument,
  validateLockfile,
  validateManifest,
  validateRegistry,
  validateReport,
  validateSources,
  validateSubmission,
} from '../src/index.js';
import { hasSharedData, readShared } from './shared-data.js';

const fixture = <T = Record<string, unknown>>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
const clone = <T>(x: T): T => structuredClone(x);

describe('native fixtures', () => {
  it.each([
    ['manifest.json', validateManifest],
    ['registry.json', validateRegistry],
    ['lockfile.json', validateLockfile],
    ['sources.json', validateSources],
    ['report.json', validateReport],
    ['submission.json', validateSubmission],
  ] as const)('%s validates', (file, validate) => {
    const r = validate(fixture(file));
    expect(r.ok ? [] : r.problems).toEqual([]);
  });

  it('manifest round-trips through readManifest and JSON', () => {
    const m = fixture<Manifest>('manifest.json');
    const read = readManifest(m);
    expect(read).toEqual(m);
    expect(readManifest(JSON.parse(JSON.stringify(read)))).toEqual(m);
  });

  it('registry round-trips through readRegistry and JSON', () => {
    const r = fixture<Registry>('registry.json');
    const read = readRegistry(r);
    expect(read).toEqual(r);
    expect(readRegistry(JSON.parse(JSON.stringify(read)))).toEqual(r);
  });
});

describe('detectKind', () => {
  it.each([
    ['manifest.json', 'manifest'],
    ['registry.json', 'registry'],
    ['lockfile.json', 'lockfile'],
    ['sources.json', 'sources'],
    ['report.json', 'report'],
    ['submission.json', 'submission'],
  ])('%s is a %s', (file, kind) => {
    expect(detectKind(fixture(file))).toBe(kind);
  });

  it.skipIf(!hasSharedData)('recognises the legacy shapes', () => {
    const read = readShared;
    expect(detectKind(read('wxauto/registry.json'))).toBe('wxauto-registry');
    expect(detectKind(read('wxauto/plugin-manifests/dify_platform.json'))).toBe('wxauto-manifest');
    expect(detectKind(read('extismx/rust-pdk.plugin.json'))).toBe('extismx-manifest');
    expect(detectKind(read('extismx/python-pdk.plugin.json'))).toBe('extismx-manifest');
  });

  it.each([null, 1, 'x', [], {}, { foo: 1 }])('%j is nothing', (x) => {
    expect(detectKind(x)).toBeUndefined();
  });
});

describe('schema and rule problems', () => {
  it('reports a bad plugin id with its JSON path and E_ID_INVALID', () => {
    const r = fixture<Registry>('registry.json');
    (r.plugins[0] as { plugin_id: string }).plugin_id = '--upload-pack=x';
    const v = validateDocument(r);
    expect(v.kind).toBe('registry');
    expect(v.problems).toEqual([
      { path: '/plugins/0/plugin_id', code: 'E_ID_INVALID', message: expect.stringMatching(/--upload-pack/) },
    ]);
  });

  it('reports missing and unknown properties as E_SCHEMA', () => {
    const m = fixture('manifest.json');
    delete m.version;
    expect(validateDocument(m).problems).toEqual([
      { path: '', code: 'E_SCHEMA', message: expect.stringContaining('"version"') },
    ]);
    const n = fixture('manifest.json');
    n.entry_point = 'main.py';
    expect(validateManifest(n)).toMatchObject({ ok: false, problems: [{ path: '', code: 'E_SCHEMA' }] });
  });

  it('reports a nested type error at its path', () => {
    const r = fixture<Registry>('registry.json');
    (r.plugins[0]?.releases[0]?.artifact as unknown as { size: string }).size = 'big';
    expect(validateDocument(r).problems[0]).toMatchObject({
      path: '/plugins/0/releases/0/artifact/size',
      code: 'E_SCHEMA',
    });
  });

  it('refuses uppercase sha256 and bad semver', () => {
    const r = fixture<Registry>('registry.json');
    const rel = r.plugins[0]?.releases[0];
    if (!rel) throw new Error('fixture');
    rel.artifact.sha256 = rel.artifact.sha256.toUpperCase();
    expect(validateDocument(r).problems[0]).toMatchObject({
      path: '/plugins/0/releases/0/artifact/sha256',
      code: 'E_SCHEMA',
    });
    const m = fixture('manifest.json');
    m.version = '1.0';
    expect(validateDocument(m).problems[0]).toMatchObject({ path: '/version', code: 'E_SCHEMA' });
  });

  it('refuses javascript: homepages in any casing with E_URL_SCHEME', () => {
    for (const url of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'http://example.com']) {
      const m = fixture('manifest.json');
      m.homepage = url;
      expect(validateDocument(m).problems).toEqual([
        { path: '/homepage', code: 'E_URL_SCHEME', message: expect.any(String) },
      ]);
    }
  });

  it('allows loopback artifact URLs but not loopback homepages', () => {
    const r = fixture<Registry>('registry.json');
    expect(validateRegistry(r).ok).toBe(true);
    const p = r.plugins[0];
    if (!p) throw new Error('fixture');
    p.homepage = 'http://127.0.0.1/';
    expect(validateDocument(r).problems).toMatchObject([{ path: '/plugins/0/homepage', code: 'E_URL_SCHEME' }]);
  });

  it('refuses bidi and control characters with E_TEXT_CONTROL_CHARS at their path', () => {
    const m = fixture('manifest.json');
    m.name = 'Count \u202eVowels';
    expect(validateDocument(m).problems).toEqual([
      { path: '/name', code: 'E_TEXT_CONTROL_CHARS', message: expect.stringContaining('U+202E') },
    ]);
    const n = fixture<Manifest>('manifest.json');
    (n.exports[0] as { description: string }).description = 'x\u001b[2Jy';
    expect(validateDocument(n).problems).toMatchObject([
      { path: '/exports/0/description', code: 'E_TEXT_CONTROL_CHARS' },
    ]);
    const o = fixture('manifest.json');
    o.name = 'two\nlines';
    expect(validateDocument(o).problems).toMatchObject([{ path: '/name', code: 'E_TEXT_CONTROL_CHARS' }]);
  });

  it('requires justifications', () => {
    const m = fixture<Manifest>('manifest.json');
    delete m.permissions.justifications?.timeout_ms;
    expect(validateDocument(m).problems).toMatchObject([
      { path: '/permissions/justifications/timeout_ms', code: 'E_SCHEMA' },
    ]);
  });

  it('finds duplicate and colliding ids, unknown categories and duplicate versions', () => {
    const r = fixture<Registry>('registry.json');
    const p = r.plugins[0];
    if (!p) throw new Error('fixture');
    r.plugins.push({ ...clone(p) }, { ...clone(p), plugin_id: 'countvowels', category: 'games' });
    p.releases.push(clone(p.releases[0] as (typeof p.releases)[number]));
    const problems = validateDocument(r).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/plugins/1/plugin_id', code: 'E_NAME_CONFLICT' }),
        expect.objectContaining({ path: '/plugins/2/plugin_id', code: 'E_NAME_CONFLICT' }),
        expect.objectContaining({ path: '/plugins/2/category', code: 'E_CATEGORY_UNKNOWN' }),
        expect.objectContaining({ path: '/plugins/0/releases/1/version', code: 'E_VERSION_IMMUTABLE' }),
      ]),
    );
  });

  it('checks lockfile, sources, report and submission rules', () => {
    const l = fixture<{ plugins: Record<string, { path: string; id: string }> }>('lockfile.json');
    const entry = l.plugins['count-vowels'];
    if (!entry) throw new Error('fixture');
    entry.path = '../../etc/passwd';
    expect(validateDocument(l).problems).toMatchObject([{ path: '/plugins/count-vowels/path', code: 'E_PATH_ESCAPE' }]);

    const s = fixture<{ sources: { mirrors: string[] }[]; current: string }>('sources.json');
    s.sources[0]?.mirrors.push('http://mirror.example.com');
    s.current = 'nope';
    expect(validateDocument(s).problems).toMatchObject([
      { path: '/sources/0/mirrors/2', code: 'E_URL_SCHEME' },
      { path: '/current', code: 'E_SOURCE_UNKNOWN' },
    ]);

    const rep = fixture('report.json');
    rep.security_score = 50;
    expect(validateDocument(rep).problems).toMatchObject([{ path: '/passed', code: 'E_SCHEMA' }]);

    const sub = fixture<{ permissions: { permission: string }[]; plugin_id: string }>('submission.json');
    (sub.permissions[0] as { permission: string }).permission = 'system.command';
    expect(validateDocument(sub).problems).toMatchObject([
      { path: '/permissions/0/permission', code: 'E_PERMISSION_UNKNOWN' },
    ]);
    sub.plugin_id = '__proto__';
    expect(validateDocument(sub).problems).toMatchObject([{ path: '/plugin_id', code: 'E_ID_INVALID' }]);
  });

  it('reports an unrecognised document', () => {
    expect(validateDocument({ hello: 1 })).toEqual({
      kind: undefined,
      problems: [expect.objectContaining({ code: 'E_SCHEMA' })],
    });
  });

  it('assert* throws a WharfError carrying every problem', () => {
    const m = fixture('manifest.json');
    m.homepage = 'javascript:alert(1)';
    m.name = 'a\u202eb';
    try {
      assertManifest(m);
      expect.unreachable();
    } catch (e) {
      expect(isWharfError(e, 'E_URL_SCHEME')).toBe(true);
      if (!isWharfError(e)) throw e;
      expect(e.message).toMatch(/\/homepage/);
      expect(e.details?.problems).toHaveLength(2);
    }
  });
});
