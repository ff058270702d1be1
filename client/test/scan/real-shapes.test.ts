import { describe, expect, it } from 'vitest';
import { isRuntimeExport, scanWasm } from '../../src/scan/scan-wasm.js';
import { readShapes, shapeWasm } from './real-shapes.js';

// Every build described in ../shared/data/real-plugin-shapes (56 real third-party Extism builds: TinyGo, Go, Rust,
// C, Haskell), rebuilt with the same imports, exports, start section, memory and producers, scanned without a
// manifest. Toolchain runtime exports (malloc, asyncify_*, hs_init…) are information, never a refusal.

const shapes = readShapes();

// The rows that are not single-module Extism plugins, and why the scan refuses each.
const REFUSED: Record<string, RegExp> = {
  // The Extism kernel itself: its ABI over i64 offsets, no plugin function.
  'extism__runtime_src_extism-runtime.wasm': /^E_WASM_EXPORT: exports without the Extism signature/,
  // Modules linked against another module (host, lib, user, side, lhs/rhs) or another host's ABI.
  'go-sdk__wasm_host_memory.wasm': /^E_WASM_IMPORT: .*host\.f/,
  'go-sdk__wasm_main.wasm': /^E_WASM_IMPORT: .*lib\.f/,
  'go-sdk__wasm_nested.c.instr.wasm': /^E_WASM_IMPORT: .*dylibso_observe/,
  'js-sdk__wasm_02-var-reflected.wasm': /^E_WASM_IMPORT: .*user\.f/,
  'js-sdk__wasm_circular-lhs.wasm': /^E_WASM_IMPORT: .*rhs\.f/,
  'js-sdk__wasm_circular-rhs.wasm': /^E_WASM_IMPORT: .*lhs\.f/,
  'js-sdk__wasm_circular.wasm': /^E_WASM_IMPORT: .*lhs\.f/,
  'js-sdk__wasm_fs-link.wasm': /^E_WASM_IMPORT: .*side\.f/,
  'modsurfer__vendors_fluvio_map_map.wasm': /^E_WASM_IMPORT: .*env\.f/,
  'modsurfer__vendors_tezos_tx-kernel-no-verif.wasm': /^E_WASM_IMPORT: .*smart_rollup_core/,
  // WASI commands: only _start (plus runtime exports), no Extism entry point.
  'go-sdk__wasm_std_command.wasm': /^E_WASM_EXPORT: a WASI command/,
  'js-sdk__wasm_exit.wasm': /^E_WASM_EXPORT: a WASI command/,
  'modsurfer__vendors_shopify_discount.wasm': /^E_WASM_EXPORT: a WASI command/,
};

describe('the scanner on the shapes of real third-party builds, without a manifest', () => {
  it('reads all 56 rows', () => {
    expect(shapes).toHaveLength(56);
    for (const file of Object.keys(REFUSED)) expect(shapes.map((s) => s.file)).toContain(file);
  });

  it.each(shapes.filter((s) => !(s.file in REFUSED)).map((s) => [s.file, s] as const))('passes %s', async (_, s) => {
    const r = scanWasm(await shapeWasm(s));
    expect(r.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(r.ok).toBe(true);
    const runtime = s.exports.filter(isRuntimeExport);
    expect(r.runtimeExports).toEqual(runtime);
    const exportsCheck = r.checks.find((c) => c.id === 'wasm.exports');
    const plugin = s.exports.filter((n) => !isRuntimeExport(n));
    expect(exportsCheck?.message).toContain(`() -> i32: ${plugin.join(', ')}`);
    if (runtime.length > 0)
      expect(exportsCheck?.message).toContain(`runtime exports (not checked): ${runtime.join(', ')}`);
  });

  it.each(Object.entries(REFUSED))('refuses %s with its code', async (file, why) => {
    const s = shapes.find((x) => x.file === file);
    if (!s) throw new Error(`no row ${file}`);
    const r = scanWasm(await shapeWasm(s));
    expect(r.ok).toBe(false);
    expect(r.checks.filter((c) => c.status === 'fail').map((c) => c.message)).toContainEqual(
      expect.stringMatching(why),
    );
  });

  it('names the toolchain from the producers section, Haskell included', async () => {
    const lang = async (file: string) =>
      scanWasm(await shapeWasm(shapes.find((s) => s.file === file) as never)).language;
    expect(await lang('go-sdk__wasm_lib.wasm')).toBe('TinyGo');
    expect(await lang('go-sdk__wasm_fs_std.wasm')).toBe('Go');
    expect(await lang('js-sdk__wasm_hello_haskell.wasm')).toBe('Haskell');
    expect(await lang('extism__wasm_code.wasm')).toBe('Rust');
  });

  it('still holds declared exports, runtime names included, to () -> i32 when a manifest is given', async () => {
    const tinygo = shapes.find((s) => s.file === 'go-sdk__wasm_lib.wasm');
    if (!tinygo) throw new Error('no TinyGo row');
    const wasm = await shapeWasm(tinygo);
    const declared = (names: string[]) => ({ exports: names.map((name) => ({ name })), permissions: { wasi: true } });
    expect(scanWasm(wasm, declared(['capitalize'])).ok).toBe(true);
    const malloc = scanWasm(wasm, declared(['capitalize', 'malloc']));
    expect(malloc.ok).toBe(false);
    expect(malloc.checks.find((c) => c.id === 'wasm.exports')?.message).toMatch(
      /^E_WASM_EXPORT: exports without the Extism signature \(\) -> i32: malloc \(i32\) -> \(i32\)/,
    );
  });

  it('refuses a TinyGo-shaped build whose own export lacks the Extism signature', async () => {
    const tinygo = shapes.find((s) => s.file === 'go-sdk__wasm_lib.wasm');
    if (!tinygo) throw new Error('no TinyGo row');
    const { wat } = await import('./wasm-fixtures.js');
    const { shapeWat } = await import('./real-shapes.js');
    // capitalize taking a pointer: what a build against the wrong PDK looks like.
    const broken = shapeWat(tinygo).replace(
      '(func (export "capitalize") (result i32) i32.const 0)',
      '(func (export "capitalize") (param i32) (result i32) i32.const 0)',
    );
    expect(broken).not.toBe(shapeWat(tinygo));
    const r = scanWasm(await wat(broken));
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.id === 'wasm.exports')?.message).toMatch(/^E_WASM_EXPORT: .*capitalize \(i32\)/);
  });
});
