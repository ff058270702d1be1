import { describe, expect, it } from 'vitest';
import { capMemory } from '../../src/run/cap-memory.js';
import { wat } from './wat-plugins.js';

// The limits rewrite on its own: every memory (defined or imported) ends up with max ≤ cap, the module still
// validates, and nothing else changes.

const memLimits = (wasm: Uint8Array) =>
  WebAssembly.Module.imports(new WebAssembly.Module(wasm)).filter((i) => i.kind === 'memory').length;

describe('capMemory', () => {
  it('adds a maximum to a memory that declares none', async () => {
    const r = capMemory(await wat('(module (memory (export "memory") 2))'), 64);
    expect(r.memories).toEqual([{ min: 2, max: 64 }]);
    const mem = new WebAssembly.Instance(new WebAssembly.Module(r.wasm)).exports.memory as WebAssembly.Memory;
    expect(mem.grow(62)).toBe(2);
    expect(() => mem.grow(1)).toThrow(RangeError);
  });

  it('keeps a lower declared maximum and lowers a higher one', async () => {
    expect(capMemory(await wat('(module (memory 1 3))'), 64).memories).toEqual([{ min: 1, max: 3, declaredMax: 3 }]);
    expect(capMemory(await wat('(module (memory 1 65536))'), 64).memories).toEqual([
      { min: 1, max: 64, declaredMax: 65536 },
    ]);
  });

  it('caps imported memories and tables and leaves other imports intact', async () => {
    const src = `(module
      (import "extism:host/env" "alloc" (func (param i64) (result i64)))
      (import "env" "table" (table 1 funcref))
      (import "env" "g" (global i32))
      (import "env" "memory" (memory 1))
      (func (export "f") (result i32) (i32.const 0)))`;
    const r = capMemory(await wat(src), 16);
    // The table may grow to 1/16 of the 1 MiB budget (8192 entries, one page), so memory keeps the other 15 pages.
    expect(r.tables).toEqual([{ min: 1, max: 8192 }]);
    expect(r.memories).toEqual([{ min: 1, max: 15 }]);
    expect(WebAssembly.validate(r.wasm)).toBe(true);
    expect(memLimits(r.wasm)).toBe(1);
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 15 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(r.wasm), {
      'extism:host/env': { alloc: () => 0n },
      env: { table: new WebAssembly.Table({ initial: 1, maximum: 8192, element: 'anyfunc' }), g: 1, memory: mem },
    });
    expect((inst.exports.f as () => number)()).toBe(0);
    // An unbounded host memory no longer satisfies the capped import: the module cannot borrow a bigger one.
    expect(
      () =>
        new WebAssembly.Instance(new WebAssembly.Module(r.wasm), {
          'extism:host/env': { alloc: () => 0n },
          env: {
            table: new WebAssembly.Table({ initial: 1, maximum: 8192, element: 'anyfunc' }),
            g: 1,
            memory: new WebAssembly.Memory({ initial: 1 }),
          },
        }),
    ).toThrow(WebAssembly.LinkError);
  });

  it('returns the bytes unchanged apart from the memory section', async () => {
    const wasm = await wat('(module (memory 1) (data (i32.const 0) "abc") (func (export "f")))');
    const capped = capMemory(wasm, 8).wasm;
    expect(capped.length).toBe(wasm.length + 1); // one byte for the max
    expect(WebAssembly.validate(capped)).toBe(true);
    expect(capMemory(capped, 8).wasm).toEqual(capped);
  });

  it('leaves a module without memory byte-identical', async () => {
    const wasm = await wat('(module (func (export "f")))');
    expect(capMemory(wasm, 8).wasm).toEqual(wasm);
  });

  it('refuses a module that needs more than the cap at start (E_WASM_MEMORY)', async () => {
    expect(() => capMemory(Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 100]), 64)).toThrow(
      expect.objectContaining({ code: 'E_WASM_MEMORY' }),
    );
  });

  it('caps a table that declares no maximum and charges its entries against the memory budget', async () => {
    // 64 pages = 4 MiB; tables may grow to 1/16 of it at 8 bytes an entry: 32768 entries, 4 pages.
    const r = capMemory(await wat('(module (table (export "t") 10 funcref) (memory (export "memory") 1))'), 64);
    expect(r.tables).toEqual([{ min: 10, max: 32768 }]);
    expect(r.memories).toEqual([{ min: 1, max: 60 }]);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(r.wasm));
    const t = inst.exports.t as WebAssembly.Table;
    expect(t.grow(32768 - 10)).toBe(10);
    expect(() => t.grow(1)).toThrow(RangeError);
  });

  it('keeps a table whose declared maximum fits byte-identical', async () => {
    const wasm = await wat('(module (table 2 8 funcref) (func (export "f")))');
    const r = capMemory(wasm, 64);
    expect(r.tables).toEqual([{ min: 2, max: 8, declaredMax: 8 }]);
    expect(r.wasm).toEqual(wasm);
  });

  it('refuses tables whose start size alone is over the budget (E_WASM_MEMORY)', async () => {
    const twelve = Array.from({ length: 12 }, () => '(table 10000000 funcref)').join(' ');
    expect(() => capMemory(Uint8Array.from([]), 64)).toThrow(expect.objectContaining({ code: 'E_WASM_INVALID' }));
    const run = async () => capMemory(await wat(`(module ${twelve})`), 1024);
    await expect(run()).rejects.toMatchObject({ code: 'E_WASM_MEMORY', message: expect.stringMatching(/12 table/) });
  });

  it('refuses truncated or non-WASM input (E_WASM_INVALID)', () => {
    expect(() => capMemory(new Uint8Array([1, 2, 3]), 8)).toThrow(expect.objectContaining({ code: 'E_WASM_INVALID' }));
    expect(() => capMemory(Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 5, 9, 1, 0]), 8)).toThrow(
      expect.objectContaining({ code: 'E_WASM_INVALID' }),
    );
    expect(() => capMemory(Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 5, 2, 1, 0x80]), 8)).toThrow(
      expect.objectContaining({ code: 'E_WASM_INVALID' }),
    );
  });
});
