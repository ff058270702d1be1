import { describe, expect, it } from 'vitest';
import { skipResponseLoad } from '../../src/run/no-undici.js';

// skipResponseLoad stands in for Node's lazy global Response during Extism's manifest check (issue 10: undici is
// ~30 ms of a `wharf run` that makes no request).

describe('skipResponseLoad', () => {
  it('answers "not a Response" for the manifest only, and restores the real Response', async () => {
    const manifest = { wasm: [] };
    const seen: boolean[] = [];
    const out = await skipResponseLoad(manifest, async () => {
      seen.push(manifest instanceof (globalThis as unknown as { Response: typeof Response }).Response);
      return 'done';
    });
    expect(out).toBe('done');
    expect(seen).toEqual([false]);
    // The real one is back: a real Response is one.
    expect(new Response('x') instanceof Response).toBe(true);
    expect(Object.getOwnPropertyDescriptor(globalThis, 'Response')?.value ?? Response).toBe(Response);
  });

  it('restores Response when start throws or rejects', async () => {
    const before = Object.getOwnPropertyDescriptor(globalThis, 'Response');
    await expect(
      skipResponseLoad({}, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(() =>
      skipResponseLoad({}, () => {
        throw new Error('sync');
      }),
    ).toThrow('sync');
    expect(Object.getOwnPropertyDescriptor(globalThis, 'Response')).toEqual(before);
  });
});
