import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WharfClient } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkSections } from '../client/src/scan/wasm-sections.js';
import { withCustomSection } from '../client/test/scan/wasm-fixtures.js';
import { runCli, tempDir, WHARF_ADMIN } from './helpers/demo.js';
import { expectRefusal } from './helpers/snapshot-dir.js';
import { type LocalRegistry, localRegistry, manifestFor, wat2wasm } from './host/local-registry.js';

// Install-time admission is the review bot's scanner (DESIGN §4 Install step 4, §5): a module that fails
// `wharf-admin scan` is refused by `wharf install` with the same code, through a real signed registry on 127.0.0.1.

/** `(memory 1 1 shared)`: wabt needs the threads feature for it, so the limits flag is set by hand (0x01 → 0x03). */
async function sharedMemoryModule(): Promise<Uint8Array> {
  const wasm = await wat2wasm(
    '(module (memory (export "memory") 1 1) (func (export "run") (result i32) (i32.const 0)))',
  );
  const mem = walkSections(wasm).sections.find((s) => s.id === 5);
  if (!mem) throw new Error('no memory section');
  // The body: count (1), then the first memory's limits flags.
  expect(wasm[mem.offset + 1]).toBe(0x01);
  wasm[mem.offset + 1] = 0x03;
  expect(WebAssembly.validate(wasm as Uint8Array<ArrayBuffer>)).toBe(true);
  return wasm;
}

describe('install admission = the scanner', () => {
  let reg: LocalRegistry;
  let root: string;
  let c: WharfClient;
  let shared: Uint8Array;
  const plain = '(module (memory (export "memory") 1) (func (export "run") (result i32) (i32.const 0)))';

  beforeAll(async () => {
    reg = await localRegistry();
    root = tempDir('admission');
    shared = await sharedMemoryModule();
    await reg.publish(manifestFor('shared-mem', '1.0.0', 'run'), shared);
    await reg.publish(manifestFor('fine', '1.0.0', 'run'), await wat2wasm(plain));
    // Admission reads a download's sieved copy (large custom payloads dropped): a padded module is admitted, and one
    // that ends inside its padding is refused as the whole module is.
    const padded = withCustomSection(await wat2wasm(plain), '.debug_info', 300_000);
    await reg.publish(manifestFor('padded', '1.0.0', 'run'), padded);
    await reg.publish(manifestFor('cut-padding', '1.0.0', 'run'), padded.subarray(0, padded.length - 100_000));
    c = new WharfClient({ home: join(root, 'home') });
    await c.addSource({ alias: 'local', url: reg.url, rootSha256: reg.rootSha256 });
    await c.refresh();
    expect((await c.install('fine')).status).toBe('installed');
  });
  afterAll(async () => {
    await reg?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('wharf-admin scan refuses a shared-memory module with E_WASM_MEMORY', async () => {
    const file = join(root, 'shared.wasm');
    writeFileSync(file, shared);
    const r = await runCli(WHARF_ADMIN, ['scan', file]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/E_WASM_MEMORY/);
  });

  it('wharf install refuses it with the same code, leaves the home byte-identical and no temps', async () => {
    const err = await expectRefusal(c.home.root, 'E_WASM_MEMORY', () => c.install('shared-mem'));
    expect(err.message).toMatch(/wasm\.memory.*shared memory/);
    expect(await c.verify()).toEqual([{ id: 'fine', ok: true }]);
  });

  it('a module padded with a large custom section installs; one that ends inside it is E_WASM_INVALID, home intact', async () => {
    expect((await c.install('padded')).status).toBe('installed');
    const err = await expectRefusal(c.home.root, 'E_WASM_INVALID', () => c.install('cut-padding'));
    expect(err.message).toMatch(/wasm\.valid.*ends inside a custom section/);
  });
});
