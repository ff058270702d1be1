// Outside JSON has one entry point (parseJson): `wharf-admin validate` and the review bot read plugin.json and
// registry.json through it, so duplicate keys (JSON.parse keeps the last) and 10,000-deep nesting (which overflowed
// the stack of the walks after JSON.parse, surfacing as E_IO) are E_SCHEMA everywhere, and a `__proto__` host path
// is refused by review and validate with the same words, because both take the same reader.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotDir, tempLeftovers } from '../../../test/helpers/snapshot-dir.js';
import { initRegistry } from '../../src/registry/init.js';
import { runMain, tempDir } from '../fixtures.js';
import { EXAMPLES } from './market-fixture.js';

let tmp: { path: string; cleanup(): Promise<void> };
beforeEach(async () => {
  tmp = await tempDir('wharf-json-docs-');
});
afterEach(async () => tmp.cleanup());

const GREET = JSON.parse(readFileSync(join(EXAMPLES, 'greet', 'plugin.json'), 'utf8')) as Record<string, unknown>;

/** `{"id": "greet", ...}` with a second "id" after the first: JSON.parse would read "evil-plugin". */
const withDuplicateId = (m: Record<string, unknown>): string =>
  JSON.stringify(m, null, 2).replace(/\n {2}"id": "greet",/, '\n  "id": "greet",\n  "id": "evil-plugin",');

/** The greet manifest with an export whose input schema nests `depth` objects deep. */
function deepManifest(depth: number): string {
  const schema = `${'{"not":'.repeat(depth)}{}${'}'.repeat(depth)}`;
  return JSON.stringify({ ...GREET, exports: [{ name: 'greet', input_schema: '@@' }] }).replace('"@@"', schema);
}

function greetRelease(manifestText: string): { manifest: string; wasm: string; sig: string } {
  const dir = tmp.path;
  copyFileSync(join(EXAMPLES, 'greet', 'plugin.wasm'), join(dir, 'plugin.wasm'));
  copyFileSync(join(EXAMPLES, 'greet', 'plugin.wasm.minisig'), join(dir, 'plugin.wasm.minisig'));
  writeFileSync(join(dir, 'plugin.json'), manifestText);
  return { manifest: join(dir, 'plugin.json'), wasm: join(dir, 'plugin.wasm'), sig: join(dir, 'plugin.wasm.minisig') };
}

async function validate(
  text: string,
): Promise<{ code: number; kind: string; problems: { code: string; message: string }[] }> {
  const file = join(tmp.path, 'doc.json');
  writeFileSync(file, text);
  const r = await runMain(['--json', 'validate', file]);
  return { code: r.code, ...(JSON.parse(r.stdout) as { kind: string; problems: { code: string; message: string }[] }) };
}

async function reviewFiles(manifestText: string, extra: string[] = []) {
  const f = greetRelease(manifestText);
  const r = await runMain([
    '--json',
    'review',
    '--manifest',
    f.manifest,
    '--wasm',
    f.wasm,
    '--sig',
    f.sig,
    '--no-smoke',
    ...extra,
  ]);
  return { ...r, json: JSON.parse(r.stdout) as Record<string, unknown> };
}

const checkOf = (report: Record<string, unknown>, id: string) =>
  (report.checks as { id: string; status: string; message: string }[]).find((c) => c.id === id);

describe('duplicate keys, deep nesting and __proto__ in outside JSON', () => {
  it('the unmodified greet release passes validate and the manifest check of review (the control)', async () => {
    expect(await validate(JSON.stringify(GREET))).toMatchObject({ code: 0, kind: 'manifest', problems: [] });
    const r = await reviewFiles(JSON.stringify(GREET));
    expect(checkOf(r.json, 'manifest.schema')?.status).toBe('pass');
  });

  it('refuses a plugin.json with a duplicate key through validate and through review (E_SCHEMA)', async () => {
    const text = withDuplicateId(GREET);
    expect(JSON.parse(text).id).toBe('evil-plugin');
    const v = await validate(text);
    expect(v.code).toBe(1);
    expect(v.problems).toEqual([
      expect.objectContaining({ code: 'E_SCHEMA', message: expect.stringMatching(/"id" twice/) }),
    ]);
    const r = await reviewFiles(text);
    expect(r.code).toBe(1);
    expect(checkOf(r.json, 'manifest.schema')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^E_SCHEMA: .*"id" twice/),
    });
    expect(r.json.plugin_id).not.toBe('evil-plugin');
  });

  it('refuses a registry.json with a duplicate key through validate and as the review bot registry, changing nothing', async () => {
    const reg = join(tmp.path, 'registry');
    await initRegistry(reg, { name: 'dup test' });
    const good = readFileSync(join(reg, 'registry.json'), 'utf8');
    expect(await validate(good)).toMatchObject({ code: 0, kind: 'registry' });
    const dup = good.replace(/^\{\n/, '{\n  "categories": [],\n');
    expect(dup).not.toBe(good);
    writeFileSync(join(reg, 'registry.json'), dup);
    const v = await validate(dup);
    expect(v.code).toBe(1);
    expect(v.problems).toEqual([
      expect.objectContaining({ code: 'E_SCHEMA', message: expect.stringMatching(/"categories" twice/) }),
    ]);

    const before = snapshotDir(reg);
    const r = await reviewFiles(JSON.stringify(GREET), ['--registry', reg]);
    expect(r.code).toBe(1);
    expect(r.json.error).toMatchObject({ code: 'E_SCHEMA', message: expect.stringMatching(/"categories" twice/) });
    expect(snapshotDir(reg)).toEqual(before);
    expect(tempLeftovers(reg)).toEqual([]);
    expect(tempLeftovers(tmp.path)).toEqual([]);
  });

  it('refuses 10,000-deep nesting as E_SCHEMA, not E_IO, through validate and review', async () => {
    const text = deepManifest(10_000);
    const v = await validate(text);
    expect(v.code).toBe(1);
    expect(v.problems).toEqual([
      expect.objectContaining({ code: 'E_SCHEMA', message: expect.stringMatching(/deeper than 64/) }),
    ]);
    const r = await reviewFiles(text);
    expect(checkOf(r.json, 'manifest.schema')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^E_SCHEMA: .*deeper than 64/),
    });
    // A schema a few levels deep is fine.
    expect((await validate(deepManifest(20))).problems).toEqual([]);
  });

  it('refuses __proto__ in allowed_paths identically in review and validate', async () => {
    for (const value of ['{"/etc": "/data"}', '"/data"']) {
      const perms = {
        ...(GREET.permissions as object),
        justifications: { config_keys: 'x', allowed_paths: 'reads data' },
      };
      const text = JSON.stringify({ ...GREET, permissions: { ...perms, allowed_paths: '@@' } }).replace(
        '"@@"',
        `{"__proto__": ${value}}`,
      );
      const v = await validate(text);
      expect(v.code, value).toBe(1);
      const [first] = v.problems;
      expect(first?.code).toBe('E_SCHEMA');
      const r = await reviewFiles(text);
      const check = checkOf(r.json, 'manifest.schema');
      expect(check?.status, value).toBe('fail');
      expect(check?.message).toContain(`E_SCHEMA: Invalid plugin manifest: ${first?.message}`);
    }
  });
});
