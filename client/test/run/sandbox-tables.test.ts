import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSandbox, type SandboxedPlugin } from '../../src/run/sandbox.js';
import { BIG_TABLES_WAT, TABLES_WAT, wat } from './wat-plugins.js';

// Tables live outside linear memory (DESIGN §4, §10: twelve 10M-entry funcref tables took 3.3 GB of RSS), so the
// sandbox caps their limits and charges their entries against the plugin's memory budget.

const MiB = 1024 * 1024;
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code,
  );

describe('sandbox tables', () => {
  let tables: Uint8Array;
  let sb: SandboxedPlugin;
  beforeAll(async () => {
    tables = await wat(TABLES_WAT);
    sb = await openSandbox({
      id: 'tables',
      wasm: tables,
      permissions: { timeout_ms: 2_000, memory_max_pages: 1024 },
      exports: [{ name: 'table_bomb' }, { name: 'table_spin' }, { name: 'table_entries' }, { name: 'table_fill' }],
    });
  });
  afterAll(async () => sb?.close());

  it('twelve 10M-entry tables are refused before instantiation (E_WASM_MEMORY), RSS unchanged', async () => {
    const before = process.memoryUsage().rss;
    const open = openSandbox({
      id: 'big-tables',
      wasm: await wat(BIG_TABLES_WAT),
      permissions: {},
      exports: [{ name: 'run' }],
    });
    await expect(open).rejects.toMatchObject({ code: 'E_WASM_MEMORY', message: expect.stringMatching(/table/) });
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * MiB);
  });

  it('table.grow in a loop is refused at the cap: the call traps with a code and RSS stays bounded', async () => {
    const before = process.memoryUsage().rss;
    // Uncapped, this grows twelve tables to V8's 10M entries each (3.3 GB).
    expect(await codeOf(sb.call('table_bomb'))).toBe('E_PLUGIN_TRAP');
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * MiB);
    // A fresh instance: the twelve tables at their start size again.
    expect(text(await sb.call('table_entries'))).toBe('12');
  });

  it('the tables together stop at 1/16 of the memory budget, 8 bytes an entry', async () => {
    expect(text(await sb.call('table_fill'))).toBe(String((1024 * 64 * 1024) / 16 / 8));
    const capped = await openSandbox({
      id: 'tables',
      wasm: tables,
      permissions: { timeout_ms: 2_000, memory_max_pages: 64 },
      exports: [{ name: 'table_bomb' }, { name: 'table_fill' }],
    });
    try {
      expect(text(await capped.call('table_fill'))).toBe(String((64 * 64 * 1024) / 16 / 8));
      expect(await codeOf(capped.call('table_bomb'))).toBe('E_PLUGIN_TRAP');
    } finally {
      await capped.close();
    }
  });

  it('a plugin that keeps growing a table past refusals hits its deadline, and the next call works', async () => {
    expect(await codeOf(sb.call('table_spin'))).toBe('E_PLUGIN_TIMEOUT');
    expect(text(await sb.call('table_entries'))).toBe('12');
  });
});
