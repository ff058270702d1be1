import type { Permissions } from '@wharf/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUleb } from '../../src/run/cap-memory.js';
import { openSandbox, type SandboxedPlugin } from '../../src/run/sandbox.js';
import { HOSTILE_WAT, START_LOOP_WAT, wat } from './wat-plugins.js';

// DESIGN §8 runtime threats against real .wasm in real Extism (rc13, worker mode): each misbehaviour fails with a
// stable code and the very next call on the same sandbox still works.

const EXPORTS = [
  'echo',
  'spin',
  'grow_until_refused',
  'bomb',
  'recurse',
  'huge_output',
  'set_var',
  'get_var',
  'fetch',
  'alloc_bomb',
].map((name) => ({ name }));
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

async function expectCode(p: Promise<unknown>, code: string): Promise<string> {
  const e = (await p.then(
    () => null,
    (err: unknown) => err,
  )) as { code?: string; message?: string } | null;
  expect(e, `expected ${code}`).not.toBeNull();
  expect(e?.code, e?.message).toBe(code);
  return e?.message ?? '';
}

describe('sandbox limits', () => {
  let hostile: Uint8Array;
  let sb: SandboxedPlugin;
  // 1 s: short enough for the loop tests, long enough for a worker to start while the whole suite runs in parallel.
  const permissions: Permissions = { timeout_ms: 1_000, memory_max_pages: 64 };

  beforeAll(async () => {
    hostile = await wat(HOSTILE_WAT);
    sb = await openSandbox({
      id: 'hostile',
      wasm: hostile,
      permissions,
      exports: EXPORTS,
      policy: { maxTimeoutMs: 2_000, defaultTimeoutMs: 1_000, maxOutputBytes: 1024 * 1024, maxVarBytes: 4096 },
    });
  });
  afterAll(async () => sb?.close());

  it('runs a well-behaved export', async () => {
    expect(text(await sb.call('echo', 'hello'))).toBe('hello');
  });

  it('caps memory that declares no maximum: memory.grow is refused at memory_max_pages', async () => {
    expect(text(await sb.call('grow_until_refused'))).toBe('64');
    // The instance that grew is still usable, and grow is still refused there.
    expect(text(await sb.call('grow_until_refused'))).toBe('64');
  });

  it('a memory bomb traps at the cap and the next call works', async () => {
    const msg = await expectCode(sb.call('bomb'), 'E_PLUGIN_TRAP');
    expect(msg).toMatch(/hostile bomb/);
    expect(text(await sb.call('echo', 'after bomb'))).toBe('after bomb');
  });

  it('an infinite loop in an export times out and the next call works', async () => {
    const t0 = Date.now();
    await expectCode(sb.call('spin'), 'E_PLUGIN_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(8_000);
    expect(text(await sb.call('echo', 'after spin'))).toBe('after spin');
    await expectCode(sb.call('spin'), 'E_PLUGIN_TIMEOUT');
    expect(text(await sb.call('echo', 'again'))).toBe('again');
  });

  it('deep recursion traps (stack overflow) and the next call works', async () => {
    const msg = await expectCode(sb.call('recurse'), 'E_PLUGIN_TRAP');
    expect(msg).toMatch(/stack/i);
    expect(text(await sb.call('echo', 'after recursion'))).toBe('after recursion');
  });

  it('output over the cap is refused with E_TOO_LARGE and the next call works', async () => {
    expect((await sb.call('huge_output', '')).byteLength).toBe(0);
    expect((await sb.call('huge_output', 'x')).byteLength).toBe(1024 * 1024);
    const msg = await expectCode(sb.call('huge_output', 'xx'), 'E_TOO_LARGE');
    expect(msg).toMatch(/2097152-byte block/);
    expect(text(await sb.call('echo', 'after output'))).toBe('after output');
  });

  it('output far over every cap is refused before the host allocates it', async () => {
    const before = process.memoryUsage().rss;
    await expectCode(sb.call('huge_output', 'x'.repeat(4096)), 'E_TOO_LARGE'); // 4 GiB
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    expect(text(await sb.call('echo', 'ok'))).toBe('ok');
  });

  it('an alloc bomb that touches refused host blocks is stopped at the block heap cap', async () => {
    const mib = 1024 * 1024;
    const tight = await openSandbox({
      id: 'hostile',
      wasm: hostile,
      permissions: { timeout_ms: 5_000 },
      exports: EXPORTS,
      policy: {
        maxTimeoutMs: 5_000,
        defaultTimeoutMs: 5_000,
        maxInputBytes: mib,
        maxOutputBytes: 2 * mib,
        maxHttpResponseBytes: mib,
      },
    });
    try {
      const before = process.memoryUsage().rss;
      // 300 × 1 MiB touched without the guard; with it, the call ends once the 4 MiB heap is full.
      await expectCode(tight.call('alloc_bomb'), 'E_WASM_MEMORY');
      expect(process.memoryUsage().rss - before).toBeLessThan(100 * mib);
      expect(text(await tight.call('echo', 'alive'))).toBe('alive');
    } finally {
      await tight.close();
    }
  });

  it('vars: a small var round-trips, an oversized one is refused with E_TOO_LARGE', async () => {
    expect(text(await sb.call('set_var', 'small'))).toBe('small');
    expect(text(await sb.call('get_var'))).toBe('small');
    await expectCode(sb.call('set_var', 'v'.repeat(8192)), 'E_TOO_LARGE');
    expect(text(await sb.call('echo', 'after var'))).toBe('after var');
  });

  it('input over the cap is refused before the plugin runs', async () => {
    const small = await openSandbox({
      id: 'hostile',
      wasm: hostile,
      permissions,
      exports: EXPORTS,
      policy: { maxTimeoutMs: 2_000, defaultTimeoutMs: 1_000, maxInputBytes: 10 },
    });
    try {
      await expectCode(small.call('echo', '12345678901'), 'E_TOO_LARGE');
      expect(text(await small.call('echo', '1234567890'))).toBe('1234567890');
    } finally {
      await small.close();
    }
  });

  it('frees host-side blocks between calls, so a long-lived plugin does not hit the block cap', async () => {
    // Cap of the block heap here: 3 × 256 KiB. rc13 alone keeps every call's input and output blocks forever.
    const kib256 = 256 * 1024;
    const tight = await openSandbox({
      id: 'hostile',
      wasm: hostile,
      permissions: { ...permissions, timeout_ms: 10_000 },
      exports: EXPORTS,
      policy: {
        maxTimeoutMs: 10_000,
        defaultTimeoutMs: 10_000,
        maxInputBytes: kib256,
        maxOutputBytes: kib256,
        maxHttpResponseBytes: kib256,
      },
    });
    try {
      const input = 'z'.repeat(kib256);
      for (let i = 0; i < 8; i++) expect((await tight.call('echo', input)).byteLength).toBe(kib256);
    } finally {
      await tight.close();
    }
  });

  it('serialises concurrent calls (Extism plugins are not reentrant)', async () => {
    const outs = await Promise.all(['a', 'b', 'c', 'd'].map((s) => sb.call('echo', s)));
    expect(outs.map(text)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('an infinite loop in the start section times out while instantiating', async () => {
    const t0 = Date.now();
    await expectCode(
      openSandbox({
        id: 'start-loop',
        wasm: await wat(START_LOOP_WAT),
        permissions: { timeout_ms: 300 },
        exports: [{ name: 'run' }],
      }),
      'E_PLUGIN_TIMEOUT',
    );
    expect(Date.now() - t0).toBeLessThan(5_000);
    // The host is fine: another sandbox opens and runs.
    expect(text(await sb.call('echo', 'host ok'))).toBe('host ok');
  });

  it('a million-function module is refused (E_WASM_LIMITS) and an unlinkable one too (E_WASM_IMPORT)', async () => {
    await expectCode(
      openSandbox({ id: 'many', wasm: millionFunctions(), permissions: {}, exports: [{ name: 'run' }] }),
      'E_WASM_LIMITS',
    );
    const foreign = await wat(
      '(module (import "env" "abort" (func)) (func (export "run") (result i32) (i32.const 0)))',
    );
    await expectCode(
      openSandbox({ id: 'foreign', wasm: foreign, permissions: {}, exports: [{ name: 'run' }] }),
      'E_WASM_IMPORT',
    );
    expect(text(await sb.call('echo', 'host ok'))).toBe('host ok');
  });

  it('WASI proc_exit ends the call as a trap and the next call works', async () => {
    const exiter = await openSandbox({
      id: 'exiter',
      wasm: await wat(`(module
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
        (import "extism:host/env" "output_set" (func $set (param i64 i64)))
        (memory (export "memory") 1)
        (func (export "exit") (result i32) (call $exit (i32.const 3)) (i32.const 0))
        (func (export "ok") (result i32) (call $set (call $alloc (i64.const 2)) (i64.const 2)) (i32.const 0)))`),
      permissions: { wasi: true },
      exports: [{ name: 'exit' }, { name: 'ok' }],
    });
    try {
      expect(await expectCode(exiter.call('exit'), 'E_PLUGIN_TRAP')).toMatch(/proc_exit/);
      expect((await exiter.call('ok')).byteLength).toBe(2);
    } finally {
      await exiter.close();
    }
  });

  it('a module needing more memory at start than the cap is refused with E_WASM_MEMORY', async () => {
    const big = await wat('(module (memory 1100) (func (export "run") (result i32) (i32.const 0)))');
    await expectCode(
      openSandbox({ id: 'big', wasm: big, permissions: {}, exports: [{ name: 'run' }] }),
      'E_WASM_MEMORY',
    );
  });

  it('keeps RSS bounded while a memory bomb runs repeatedly', async () => {
    const bomber = await openSandbox({
      id: 'bomber',
      wasm: hostile,
      permissions: { timeout_ms: 2_000, memory_max_pages: 256 },
      exports: EXPORTS,
    });
    try {
      const before = process.memoryUsage().rss;
      let peak = before;
      for (let i = 0; i < 5; i++) {
        expect(text(await bomber.call('grow_until_refused'))).toBe('256');
        await expectCode(bomber.call('bomb'), 'E_PLUGIN_TRAP');
        peak = Math.max(peak, process.memoryUsage().rss);
      }
      // 256 pages = 16 MiB of guest memory; uncapped, the same loop touches 4 GiB.
      expect(peak - before).toBeLessThan(256 * 1024 * 1024);
      expect(text(await bomber.call('echo', 'alive'))).toBe('alive');
    } finally {
      await bomber.close();
    }
  });
});

/** 1,000,001 empty functions: one over V8's limit. Built byte by byte; wabt would take seconds. */
function millionFunctions(): Uint8Array {
  const n = 1_000_001;
  const uleb = encodeUleb;
  const funcs = Uint8Array.from([...uleb(n), ...new Array<number>(n).fill(0)]);
  const code = new Uint8Array(uleb(n).length + n * 3);
  code.set(uleb(n));
  for (let i = 0; i < n; i++) code.set([2, 0, 0x0b], uleb(n).length + i * 3);
  const parts = [
    Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0]),
    Uint8Array.from([3, ...uleb(funcs.length)]),
    funcs,
    Uint8Array.from([10, ...uleb(code.length)]),
    code,
  ];
  return Buffer.concat(parts);
}
