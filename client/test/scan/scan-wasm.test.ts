import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Manifest, Permissions } from '@wharf/schemas';
import { describe, expect, it } from 'vitest';
import { encodeUleb } from '../../src/run/cap-memory.js';
import {
  SCAN_CHECK_IDS,
  type ScanReport,
  scanWasm,
  scanWasmModule,
  withoutLargeCustomSections,
} from '../../src/scan/scan-wasm.js';
import { walkSections } from '../../src/scan/wasm-sections.js';
import { pluginWat, wat, withCustomSection } from './wasm-fixtures.js';

const EXAMPLES = resolve(import.meta.dirname, '../../../examples');

function example(name: string): { wasm: Uint8Array; manifest: Manifest } {
  return {
    wasm: new Uint8Array(readFileSync(join(EXAMPLES, name, 'plugin.wasm'))),
    manifest: JSON.parse(readFileSync(join(EXAMPLES, name, 'plugin.json'), 'utf8')) as Manifest,
  };
}

const decl = (exports: string[], permissions: Permissions = {}) => ({
  exports: exports.map((name) => ({ name })),
  permissions,
});

function check(r: ScanReport, id: string) {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
}

describe('scanWasm', () => {
  it.each(['count-vowels', 'greet', 'word-stats'])('passes the example %s and reports every check id', (name) => {
    const { wasm, manifest } = example(name);
    const r = scanWasm(wasm, manifest);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.id).sort()).toEqual([...SCAN_CHECK_IDS].sort());
    expect(r.memory?.max).toBeGreaterThan(0);
  });

  it('flags (does not refuse) the AssemblyScript start section', () => {
    const r = scanWasm(example('word-stats').wasm, example('word-stats').manifest);
    expect(check(r, 'wasm.start').status).toBe('warn');
    expect(r.language).toBe('AssemblyScript');
  });

  it('flags large .debug_* sections and a missing memory maximum, like real Rust/Go builds, but passes them', async () => {
    let wasm = await wat(pluginWat({ memory: '17' }));
    wasm = withCustomSection(wasm, '.debug_info', 300_000);
    wasm = withCustomSection(wasm, '.debug_line', 100_000);
    const r = scanWasm(wasm, decl(['run']));
    expect(r.ok).toBe(true);
    expect(check(r, 'wasm.debug-sections').status).toBe('warn');
    expect(check(r, 'wasm.memory').status).toBe('warn');
    expect(r.memory).toMatchObject({ min: 17, imported: false });
    expect(r.memory?.max).toBeUndefined();
    expect(r.debugBytes).toBeGreaterThan(400_000);
    expect(r.customSections.map((s) => s.name)).toEqual(['.debug_info', '.debug_line']);
  });

  it('reads the source language from the producers section', async () => {
    // producers: 1 field "language" with one value ("Rust", "1.80")
    const enc = (s: string) => [s.length, ...new TextEncoder().encode(s)];
    const payload = [1, ...enc('language'), 1, ...enc('Rust'), ...enc('1.80')];
    const base = withCustomSection(await wat(pluginWat()), 'producers', payload.length);
    base.set(payload, base.length - payload.length);
    const r = scanWasm(base, decl(['run']));
    expect(r.language).toBe('Rust');
    expect(r.producers.language).toEqual([{ name: 'Rust', version: '1.80' }]);
  });

  it('refuses env.abort with the AssemblyScript hint (E_WASM_IMPORT)', async () => {
    const wasm = await wat(pluginWat({ imports: ['(import "env" "abort" (func (param i32 i32 i32 i32)))'] }));
    const r = scanWasm(wasm, decl(['run']));
    expect(r.ok).toBe(false);
    expect(check(r, 'wasm.imports')).toMatchObject({ status: 'fail' });
    expect(check(r, 'wasm.imports').message).toMatch(/^E_WASM_IMPORT: .*env\.abort.*--use abort=/);
  });

  it.each([
    ['wbg', '__wbg_log'],
    ['go', 'runtime.wasmExit'],
    ['my:custom/ns', 'f'],
    ['wasi_unstable', 'fd_write'],
  ])('refuses imports from another runtime (%s)', async (ns, name) => {
    const wasm = await wat(pluginWat({ imports: [`(import "${ns}" "${name}" (func))`] }));
    const r = scanWasm(wasm, decl(['run']));
    expect(check(r, 'wasm.imports').message).toMatch(/^E_WASM_IMPORT: /);
    expect(r.ok).toBe(false);
  });

  it('refuses a WASI command that only exports _start', async () => {
    const wasm = await wat(
      '(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))) (memory (export "memory") 1) (func (export "_start")))',
    );
    const r = scanWasm(wasm);
    expect(check(r, 'wasm.wasi').message).toMatch(/^E_WASM_EXPORT: a WASI command/);
    expect(r.ok).toBe(false);
  });

  it('refuses WASI imports unless permissions.wasi is declared', async () => {
    const wasm = await wat(
      pluginWat({
        imports: ['(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))'],
      }),
    );
    expect(check(scanWasm(wasm, decl(['run'])), 'wasm.wasi').status).toBe('fail');
    expect(check(scanWasm(wasm, decl(['run'], { wasi: true })), 'wasm.wasi').status).toBe('pass');
  });

  it('refuses missing declared exports and non-Extism signatures (E_WASM_EXPORT)', async () => {
    const wasm = await wat(pluginWat({ extra: '(func (export "add") (param i32 i32) (result i32) local.get 0)' }));
    expect(check(scanWasm(wasm, decl(['run', 'nope'])), 'wasm.exports').message).toMatch(/^E_WASM_EXPORT: .*nope/);
    expect(check(scanWasm(wasm, decl(['add'])), 'wasm.exports').message).toMatch(/^E_WASM_EXPORT: .*add \(i32,i32\)/);
  });

  it('refuses http_request without allowed_hosts, and flags unused permissions', async () => {
    const wasm = await wat(
      pluginWat({ imports: ['(import "extism:host/env" "http_request" (func (param i64 i64) (result i64)))'] }),
    );
    expect(check(scanWasm(wasm, decl(['run'])), 'wasm.permissions').message).toMatch(/^E_WASM_IMPORT: .*allowed_hosts/);
    const ok = scanWasm(wasm, decl(['run'], { allowed_hosts: ['api.example.com'] }));
    expect(check(ok, 'wasm.permissions').status).toBe('pass');
    const plain = await wat(pluginWat());
    expect(check(scanWasm(plain, decl(['run'], { allowed_hosts: ['x.example.com'] })), 'wasm.permissions').status).toBe(
      'warn',
    );
  });

  it('allows declared host functions only', async () => {
    const wasm = await wat(
      pluginWat({ imports: ['(import "extism:host/user" "lookup" (func (param i64) (result i64)))'] }),
    );
    expect(check(scanWasm(wasm, decl(['run'])), 'wasm.imports').status).toBe('fail');
    expect(check(scanWasm(wasm, decl(['run'], { host_functions: ['lookup'] })), 'wasm.imports').status).toBe('pass');
  });

  it('refuses garbage, oversized and over-limit modules with stable codes and skips the rest', async () => {
    const junk = scanWasm(new TextEncoder().encode('<html>not wasm</html>'));
    expect(check(junk, 'wasm.valid').message).toMatch(/^E_WASM_INVALID: /);
    expect(check(junk, 'wasm.exports').status).toBe('skip');
    const big = await wat(pluginWat());
    expect(check(scanWasm(big, undefined, { limits: { maxBytes: 10 } }), 'wasm.size').message).toMatch(
      /^E_WASM_LIMITS/,
    );
    const many = await wat(pluginWat({ extra: Array.from({ length: 20 }, () => '(func)').join(' ') }));
    expect(check(scanWasm(many, undefined, { limits: { maxFunctions: 10 } }), 'wasm.limits').message).toMatch(
      /^E_WASM_LIMITS: .*functions/,
    );
  });

  it('refuses a huge initial memory (E_WASM_MEMORY)', async () => {
    const huge = await wat(pluginWat({ memory: '20000' }));
    expect(check(scanWasm(huge, decl(['run'])), 'wasm.memory').message).toMatch(/^E_WASM_MEMORY/);
  });
});

describe('scanWasm on hostile sizes', () => {
  it('refuses a million-function module from the section walker, before V8 compiles it', () => {
    const n = 1_000_000;
    const sec = (id: number, body: Uint8Array) => new Uint8Array([id, ...encodeUleb(body.length), ...body]);
    const funcs = new Uint8Array([...encodeUleb(n), ...new Uint8Array(n)]);
    const body = [2, 0, 0x0b];
    const code = new Uint8Array(encodeUleb(n).length + n * body.length);
    code.set(encodeUleb(n));
    for (let i = 0; i < n; i++) code.set(body, encodeUleb(n).length + i * body.length);
    const parts = [
      new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
      sec(1, new Uint8Array([1, 0x60, 0, 0])),
      sec(3, funcs),
      sec(10, code),
    ];
    const wasm = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      wasm.set(p, o);
      o += p.length;
    }
    const r = scanWasm(wasm);
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.id === 'wasm.limits')?.message).toMatch(/^E_WASM_LIMITS: .*1000000 functions/);
    expect(r.checks.find((c) => c.id === 'wasm.valid')?.status).toBe('skip');
  });
});

describe('scanWasm on modules that are mostly custom sections (V8 compiles them without)', () => {
  it('hands V8 every other section byte for byte, and the module keeps its imports and exports', async () => {
    const plain = await wat(pluginWat({ exports: ['run', 'other'] }));
    // Padding before the code too: custom sections may sit between any two sections.
    const padded = withCustomSection(withCustomSection(plain, '.debug_info', 2_000_000), 'pad', 1_000_000);
    const layout = walkSections(padded);
    expect(withoutLargeCustomSections(padded, layout)).toEqual(plain);
    // A small custom section is not worth a copy: the bytes go to V8 as they are.
    const small = withCustomSection(plain, 'note', 10);
    expect(withoutLargeCustomSections(small, walkSections(small))).toBe(small);
    const { report, module } = scanWasmModule(padded, decl(['run', 'other']));
    expect(report.ok).toBe(true);
    expect(report.size).toBe(padded.length);
    expect(report.customSections.map((s) => s.name)).toEqual(['.debug_info', 'pad']);
    expect(WebAssembly.Module.exports(module as WebAssembly.Module).map((e) => e.name)).toEqual([
      'memory',
      'run',
      'other',
    ]);
  });

  it('still refuses a custom section name that is not UTF-8, as V8 does (E_WASM_INVALID)', async () => {
    const plain = await wat(pluginWat());
    const bad = withCustomSection(plain, [0xff, 0xfe], 1_000_000);
    expect(() => new WebAssembly.Module(bad)).toThrow(/UTF-8/); // V8's own verdict on the whole module
    const r = scanWasm(bad, decl(['run']));
    expect(r.ok).toBe(false);
    expect(check(r, 'wasm.valid').message).toMatch(/^E_WASM_INVALID: .*not valid UTF-8/);
  });

  it('still refuses invalid code behind megabytes of custom sections (E_WASM_INVALID)', async () => {
    const plain = await wat(pluginWat());
    // Corrupt the last function body's end opcode (0x0b), then pad the module with a large custom section.
    const broken = plain.slice();
    const layout = walkSections(broken);
    const code = layout.sections.find((s) => s.id === 10);
    if (!code) throw new Error('no code section');
    const last = code.offset + code.size - 1;
    expect(broken[last]).toBe(0x0b);
    broken[last] = 0x01; // nop instead of end: the body never ends
    const padded = withCustomSection(broken, '.debug_info', 4_000_000);
    const r = scanWasm(padded, decl(['run']));
    expect(r.ok).toBe(false);
    expect(check(r, 'wasm.valid').message).toMatch(/^E_WASM_INVALID: V8 refuses the module/);
  });
});
