import type { Manifest } from '@wharf/schemas';
import { describe, expect, it } from 'vitest';
import { testPlugin } from '../../src/author/test-project.js';
import { wat } from '../scan/wasm-fixtures.js';

const KERNEL = `
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))`;

/** `ok` outputs "ok"; `boom` traps. Optionally imports a host function. */
const module = (extraImport = '') => `(module ${KERNEL} ${extraImport}
  (memory 1 1)
  (func (export "ok") (result i32) (local $b i64)
    (local.set $b (call $alloc (i64.const 2)))
    (call $store_u8 (local.get $b) (i32.const 0x6f))
    (call $store_u8 (i64.add (local.get $b) (i64.const 1)) (i32.const 0x6b))
    (call $output_set (local.get $b) (i64.const 2))
    (i32.const 0))
  (func (export "boom") (result i32) unreachable))`;

const manifest = (exports: string[], permissions: Manifest['permissions'] = {}): Manifest => ({
  id: 'probe',
  name: 'Probe',
  version: '1.0.0',
  description: 'test',
  author: { name: 't' },
  license: 'MIT',
  category: 'utility',
  tags: [],
  wasm: 'plugin.wasm',
  exports: exports.map((name) => ({ name, sample_input: 'x' })),
  permissions,
});

describe('plugin test (testPlugin)', () => {
  it('runs each export with its sample input and reports a trap as the bot smoke run would', async () => {
    const r = await testPlugin(manifest(['ok', 'boom']), await wat(module()));
    expect(r.runs.map((x) => [x.export, x.status, x.output ?? x.error?.code])).toEqual([
      ['ok', 'pass', 'ok'],
      ['boom', 'error', 'E_PLUGIN_TRAP'],
    ]);
    expect(r.checks.find((c) => c.id === 'smoke.run')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^boom: E_PLUGIN_TRAP: /),
    });
    expect(r.passed).toBe(false);
  });

  it('checks --expect, and leaves smoke.run out when the inputs are not the sample ones', async () => {
    const bytes = await wat(module());
    const good = await testPlugin(manifest(['ok']), bytes, { input: 'y', expect: 'ok' });
    expect(good.passed).toBe(true);
    expect(good.checks.some((c) => c.id === 'smoke.run')).toBe(false);
    const bad = await testPlugin(manifest(['ok']), bytes, { exportName: 'ok', expect: 'nope' });
    expect(bad.runs[0]).toMatchObject({ status: 'fail', output: 'ok', expected: 'nope' });
    expect(bad.passed).toBe(false);
    await expect(testPlugin(manifest(['ok']), bytes, { exportName: 'missing' })).rejects.toMatchObject({
      code: 'E_WASM_EXPORT',
    });
  });

  it('stops at the scan when the module imports what plugin.json does not declare, and runs nothing', async () => {
    const bytes = await wat(module('(import "extism:host/user" "lookup" (func $lookup (param i64) (result i64)))'));
    const r = await testPlugin(manifest(['ok']), bytes);
    expect(r.checks.find((c) => c.id === 'wasm.imports')?.status).toBe('fail');
    expect(r.runs).toEqual([]);
    expect(r.passed).toBe(false);
  });
});
