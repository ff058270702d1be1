import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JS, no declarations
import { KINDS, runtimeValidators } from '../scripts/validator-code.mjs';
import * as standalone from '../src/generated/validators.js';

// The validators run from code generated at build time (ajv standalone); ajv compiling the same schemas at run
// time is the reference. Both must accept the same documents and report the same first error.
const FUZZ_RUNS = Number(process.env.WHARF_FUZZ_RUNS ?? 200);
const runtime = runtimeValidators() as Record<string, ValidateFunction>;
const generated = standalone as unknown as Record<string, ValidateFunction>;
const root = new URL('../../', import.meta.url).pathname;
const fixture = (kind: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${kind}.json`, import.meta.url), 'utf8'));

/** What a caller sees of an error (schema objects compared by value, not identity). */
const seen = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => JSON.parse(JSON.stringify({ ...e, parentSchema: undefined })));

function agree(kind: string, doc: unknown): void {
  const a = generated[kind] as ValidateFunction;
  const b = runtime[kind] as ValidateFunction;
  const ok = a(doc);
  expect(ok, `${kind}: standalone and run-time disagree on ${JSON.stringify(doc).slice(0, 200)}`).toBe(b(doc));
  expect(seen(a.errors)).toEqual(seen(b.errors));
}

type Json = unknown;
const BAD_VALUES: Json[] = [
  null,
  0,
  -1,
  1.5,
  '',
  'x',
  'x'.repeat(300),
  'x'.repeat(3000),
  'EVIL\u0000',
  'http://example.com',
  true,
  [],
  {},
  ['x'],
];

/** Every document one edit away from `doc`: each node deleted, replaced by a bad value, or given a stray key. */
function* mutants(doc: Json): Generator<Json> {
  const paths: Array<Array<string | number>> = [];
  const walk = (v: Json, path: Array<string | number>) => {
    paths.push(path);
    if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(x, [...path, i]);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(doc, []);
  const at = (
    d: Json,
    path: Array<string | number>,
    edit: (parent: Record<string | number, Json>, key: string | number) => void,
  ) => {
    const copy = structuredClone(d) as Record<string | number, Json>;
    let p = copy;
    for (const k of path.slice(0, -1)) p = p[k] as Record<string | number, Json>;
    edit(p, path.at(-1) as string | number);
    return copy;
  };
  for (const path of paths) {
    if (path.length === 0) {
      for (const v of BAD_VALUES) yield v;
      continue;
    }
    yield at(doc, path, (p, k) => (Array.isArray(p) ? p.splice(Number(k), 1) : delete p[k]));
    for (const v of BAD_VALUES) yield at(doc, path, (p, k) => (p[k] = v));
    yield at(doc, path, (p, k) => {
      const v = p[k];
      if (v && typeof v === 'object' && !Array.isArray(v)) (v as Record<string, Json>).unexpected_key = 1;
    });
  }
}

describe('standalone validators (generated at build time)', () => {
  it.each(KINDS as string[])('%s: agree with ajv at run time on the fixture and every one-edit mutant', (kind) => {
    const doc = fixture(kind);
    agree(kind, doc);
    let n = 0;
    for (const m of mutants(doc)) {
      agree(kind, m);
      n++;
    }
    expect(n).toBeGreaterThan(50);
  });

  it('permissions: agree on the fixture manifest permissions and their mutants', () => {
    const perms = (fixture('manifest') as { permissions: unknown }).permissions;
    agree('permissions', perms);
    for (const m of mutants(perms)) agree('permissions', m);
  });

  it('agree on arbitrary JSON at any kind', () => {
    fc.assert(
      fc.property(fc.constantFrom(...(KINDS as string[]), 'permissions'), fc.jsonValue(), (kind, doc) => {
        agree(kind, doc);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('are up to date with schemas/json (gen-validators --check)', () => {
    const run = () =>
      execFileSync(process.execPath, ['schemas/scripts/gen-validators.mjs', '--check'], { cwd: root, stdio: 'pipe' });
    expect(run).not.toThrow();
  });
});
