import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { validateManifest } from '@wharf/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { initProject } from '../../src/author/init-project.js';
import { TOOL_PACKAGES, toolClosure } from '../../src/author/toolchain.js';
import { generateKeyPair } from '../../src/signing/index.js';

const REPO = resolve(import.meta.dirname, '../../..');
const tmp = mkdtempSync(join(tmpdir(), 'wharf-init-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('plugin init', () => {
  it('pins the same toolchain versions and integrity as the repo lockfile, so `npm ci --offline` finds them in the cache', () => {
    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string; integrity: string; dependencies?: Record<string, string> }>;
    };
    for (const p of Object.values(TOOL_PACKAGES)) {
      const root = lock.packages[`node_modules/${p.name}`];
      expect(root, p.name).toBeDefined();
      expect({ v: p.version, i: p.integrity }, p.name).toEqual({ v: root?.version, i: root?.integrity });
      expect(p.dependencies ?? {}, p.name).toEqual(root?.dependencies ?? {});
    }
    expect(toolClosure('assemblyscript').map((p) => p.name)).toEqual([
      '@extism/as-pdk',
      '@extism/extism',
      'assemblyscript',
      'binaryen',
      'long',
    ]);
  });

  for (const lang of ['wat', 'assemblyscript'] as const) {
    it(`writes a valid ${lang} project with a pinned, SHA-locked release workflow`, () => {
      const key = generateKeyPair().publicKey.base64;
      const r = initProject(join(tmp, `p-${lang}`), { lang, signingKey: key, owner: 'octo' });
      expect(r.id).toBe(`p-${lang}`);
      const m = JSON.parse(readFileSync(join(r.dir, 'plugin.json'), 'utf8'));
      const v = validateManifest(m);
      expect(v.ok ? [] : v.problems).toEqual([]);
      expect(m.signing_key).toBe(key);
      expect(m.repository).toBe(`https://github.com/octo/p-${lang}`);
      // Every declared permission carries a justification.
      for (const k of Object.keys(m.permissions).filter((k) => k !== 'justifications'))
        expect(m.permissions.justifications[k]).toMatch(/\w/);
      expect(existsSync(join(r.dir, lang === 'wat' ? 'plugin.wat' : 'assembly/index.ts'))).toBe(true);
      const pkg = JSON.parse(readFileSync(join(r.dir, 'package.json'), 'utf8'));
      expect(pkg.scripts.build).toMatch(lang === 'wat' ? /^wat2wasm / : /^asc .*--use abort=assembly\/index\/abort/);
      const lock = JSON.parse(readFileSync(join(r.dir, 'package-lock.json'), 'utf8'));
      expect(lock.packages[''].devDependencies).toEqual(pkg.devDependencies);

      const wf = parse(readFileSync(join(r.dir, '.github/workflows/release.yml'), 'utf8'));
      expect(wf.on.push.tags).toEqual(['v*']);
      expect(wf.permissions).toEqual({ contents: 'read' });
      expect(wf.jobs.release.permissions).toEqual({ contents: 'write' });
      const steps = wf.jobs.release.steps as Array<{ uses?: string; run?: string }>;
      for (const s of steps.filter((s) => s.uses)) expect(s.uses).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
      for (const s of steps.filter((s) => s.run)) expect(s.run).not.toContain('${{');
      const text = readFileSync(join(r.dir, '.github/workflows/release.yml'), 'utf8');
      expect(text).not.toContain('github.event');
      expect(text).toContain('gh release upload "$TAG" plugin.wasm plugin.wasm.minisig plugin.json');
    });
  }

  it('refuses a non-empty dir and a bad id, writing nothing and leaving no temp dirs', () => {
    const parent = join(tmp, 'refuse');
    mkdirSync(join(parent, 'taken'), { recursive: true });
    writeFileSync(join(parent, 'taken', 'keep.txt'), 'mine');
    expect(() => initProject(join(parent, 'taken'))).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(readdirSync(join(parent, 'taken'))).toEqual(['keep.txt']);
    expect(() => initProject(join(parent, 'x'), { id: '../evil' })).toThrow(
      expect.objectContaining({ code: 'E_ID_INVALID' }),
    );
    expect(() => initProject(join(parent, 'my-plugin'), { lang: 'rust' as 'wat' })).toThrow(
      expect.objectContaining({ code: 'E_USAGE' }),
    );
    expect(() => initProject(join(parent, 'my-plugin'), { signingKey: 'RWnot-a-key' })).toThrow(
      expect.objectContaining({ code: 'E_SIG_INVALID' }),
    );
    expect(readdirSync(parent)).toEqual(['taken']);
  });
});
