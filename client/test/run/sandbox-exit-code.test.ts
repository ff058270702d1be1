import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSandbox, type SandboxedPlugin } from '../../src/run/sandbox.js';
import { EXIT_CODE_WAT, HOSTILE_WAT, wat } from './wat-plugins.js';

// An export's non-zero return code is a failure (DESIGN §4 Run), as in Extism's CLI: rc13 drops it, so the sandbox
// fronts the plugin with a wrapper that reports it (exit-code.ts).

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('sandbox return codes', () => {
  let sb: SandboxedPlugin;
  beforeAll(async () => {
    sb = await openSandbox({
      id: 'rc',
      wasm: await wat(EXIT_CODE_WAT),
      permissions: { timeout_ms: 5_000 },
      exports: ['code', 'reported', 'count', 'void_ok', 'missing'].map((name) => ({ name })),
    });
  });
  afterAll(async () => sb?.close());

  it('0 is success and the output comes back', async () => {
    expect((await sb.call('code', '')).byteLength).toBe(2);
  });

  it('a non-zero return code fails the call with E_PLUGIN_FAILED and the code', async () => {
    await expect(sb.call('code', 'abc')).rejects.toMatchObject({
      code: 'E_PLUGIN_FAILED',
      message: expect.stringMatching(/rc code failed with return code 3/),
    });
    await expect(sb.call('code', 'x'.repeat(200))).rejects.toMatchObject({
      message: expect.stringMatching(/return code 200/),
    });
  });

  it("a non-zero return code with an error set carries the plugin's message", async () => {
    await expect(sb.call('reported')).rejects.toMatchObject({
      code: 'E_PLUGIN_FAILED',
      message: expect.stringMatching(/return code 2: oops/),
    });
  });

  it('a failed call keeps the instance: its state survives', async () => {
    expect(text(await sb.call('count'))).toHaveLength(1);
    await expect(sb.call('code', 'a')).rejects.toMatchObject({ code: 'E_PLUGIN_FAILED' });
    expect(text(await sb.call('count'))).toHaveLength(2);
  });

  it('a void export still runs; an undeclared-in-module export fails as before', async () => {
    expect((await sb.call('void_ok')).byteLength).toBe(0);
    await expect(sb.call('missing')).rejects.toMatchObject({ code: 'E_PLUGIN_TRAP' });
  });

  it('an export returning 0 from a module with WASI and many exports is unaffected', async () => {
    const hostile = await openSandbox({
      id: 'hostile',
      wasm: await wat(HOSTILE_WAT),
      permissions: { timeout_ms: 5_000 },
      exports: [{ name: 'echo' }],
    });
    try {
      expect(text(await hostile.call('echo', 'hi'))).toBe('hi');
    } finally {
      await hostile.close();
    }
  });
});
