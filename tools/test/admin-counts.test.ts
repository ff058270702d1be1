// wharf-admin says "1 plugin", not "1 plugins" (shard; mirror sync uses the same plural()).
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addReleaseFromFiles, initRegistry, publishRegistry } from '../src/index.js';
import { minisignKey, runMain, signedRelease, tempDir } from './fixtures.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(() => tmp.cleanup());

describe('wharf-admin counts', () => {
  it('shard of a one-plugin registry: "Sharded 1 plugin"', async () => {
    const reg = join(tmp.path, 'registry');
    await initRegistry(reg);
    const author = await minisignKey(tmp.path);
    const rel = await signedRelease(tmp.path, author, { manifest: { id: 'only-one', name: 'Only One' } });
    await addReleaseFromFiles(reg, {
      manifestPath: rel.manifestPath,
      wasmPath: rel.wasmPath,
      sigPath: rel.sigPath,
      urls: ['https://example.org/only-one.wasm'],
    });
    await publishRegistry(reg);
    const r = await runMain(['shard', reg, '--bits', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Sharded 1 plugin into 2 bins/);
  });
});
