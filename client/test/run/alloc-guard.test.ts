import { describe, expect, it } from 'vitest';
import { ALLOC_GUARD_WAT, allocGuardWasm } from '../../src/run/alloc-guard.js';
import { capMemory } from '../../src/run/cap-memory.js';
import { wat } from './wat-plugins.js';

// The alloc guard's embedded bytes are what its WAT assembles to, and the patched cap is the one enforced.

const refusals: Array<[bigint, number]> = [];
function instantiate(cap: number, hostAlloc: (n: bigint) => bigint) {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(allocGuardWasm(cap)), {
    'extism:host/env': { alloc: hostAlloc },
    'wharf:host': { alloc_refused: (n: bigint, why: number) => void refusals.push([n, why]) },
  });
  return inst.exports.alloc as (n: bigint) => bigint;
}

describe('alloc guard', () => {
  it('embeds what wabt assembles from its WAT, apart from the 9-byte cap it patches', async () => {
    const assembled = await wat(ALLOC_GUARD_WAT);
    const patched = allocGuardWasm(1000);
    expect(patched.length).toBe(assembled.length);
    const differing = [...patched.keys()].filter((i) => patched[i] !== assembled[i]);
    expect(differing.length).toBeGreaterThan(0);
    expect((differing.at(-1) as number) - (differing[0] as number)).toBeLessThan(9);
    expect(WebAssembly.validate(patched)).toBe(true);
    expect(() => allocGuardWasm(2 ** 55)).toThrow(RangeError);
  });

  it('passes allocations up to the cap through, refuses bigger ones before the host sees them', () => {
    refusals.length = 0;
    const seen: bigint[] = [];
    const alloc = instantiate(1000, (n) => {
      seen.push(n);
      return 7n << 48n;
    });
    expect(alloc(1000n)).toBe(7n << 48n);
    expect(() => alloc(1001n)).toThrow(WebAssembly.RuntimeError);
    expect(() => alloc(2n ** 62n)).toThrow(WebAssembly.RuntimeError);
    expect(seen).toEqual([1000n]);
    expect(refusals).toEqual([
      [1001n, 0],
      [2n ** 62n, 0],
    ]);
  });

  it('ends the call when the host refuses (returns 0)', () => {
    refusals.length = 0;
    const alloc = instantiate(1 << 20, () => 0n);
    expect(() => alloc(10n)).toThrow(WebAssembly.RuntimeError);
    expect(refusals).toEqual([[10n, 1]]);
  });

  it('capMemory points only extism:host/env alloc at the guard', async () => {
    const src = `(module
      (import "extism:host/env" "alloc" (func (param i64) (result i64)))
      (import "extism:host/env" "length" (func (param i64) (result i64)))
      (import "other" "alloc" (func (param i64) (result i64))))`;
    const r = capMemory(await wat(src), 8, { redirectAlloc: 'wharf:alloc-guard' });
    expect(r.allocRedirected).toBe(true);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(r.wasm))).toEqual([
      { module: 'wharf:alloc-guard', name: 'alloc', kind: 'function' },
      { module: 'extism:host/env', name: 'length', kind: 'function' },
      { module: 'other', name: 'alloc', kind: 'function' },
    ]);
    expect(capMemory(await wat('(module)'), 8, { redirectAlloc: 'g' }).allocRedirected).toBe(false);
  });
});
