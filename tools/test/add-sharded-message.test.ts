import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToSharded } from '../src/registry/sharded-store.js';
import { minisignKey, runMain, signedRelease, tempDir } from './fixtures.js';

// `wharf-admin add` says what is left to do: on a monolithic registry `publish` signs the release; on a sharded
// one add has signed it already (the plugin's file, its bin, the snapshot and the timestamp), so there is nothing.
describe('wharf-admin add: the next step it names', () => {
  let tmp: { path: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    tmp = await tempDir('wharf-add-msg-');
  });
  afterEach(() => tmp.cleanup());

  it('monolithic: run publish; sharded: signed, and which bin, snapshot and timestamp', async () => {
    const reg = join(tmp.path, 'reg'); // keys in the default <parent>/reg.keys, where add finds them
    expect((await runMain(['registry', 'init', reg])).code).toBe(0);
    const author = await minisignKey(tmp.path);
    const add = async (version: string, variant: number, extra: string[] = []) => {
      const rel = await signedRelease(tmp.path, author, { manifest: { version }, variant });
      const files = ['--manifest', rel.manifestPath, '--wasm', rel.wasmPath, '--sig', rel.sigPath];
      return runMain(['add', reg, ...files, '--url', `https://example.com/${version}.wasm`, ...extra]);
    };
    const mono = await add('1.0.0', 0);
    expect(mono.code, mono.stderr).toBe(0);
    expect(mono.stdout).toMatch(/Run `wharf-admin publish .*` to sign it\./);

    await migrateToSharded(reg, { bitLength: 2 });
    const sharded = await add('1.1.0', 1);
    expect(sharded.code, sharded.stderr).toBe(0);
    expect(sharded.stdout).not.toMatch(/publish/);
    const json = await add('1.2.0', 2, ['--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ changed: true, published: { bins: [expect.any(String)] } });
    expect(sharded.stdout).toMatch(
      /^Added hello-wharf@1\.1\.0 \(sha256 [0-9a-f]{64}\)\. Signed at once \(sharded\): bins-[0-9a-f], snapshot v\d+, timestamp v\d+\.$/m,
    );
  });
});
