import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RealShape, readShapes, shapeWasm, shapeWat } from '../../client/test/scan/real-shapes.js';
import { wat } from '../../client/test/scan/wasm-fixtures.js';
import { runCli, WHARF_ADMIN } from '../../test/helpers/demo.js';

// `wharf-admin scan <wasm>` (the real binary, no --manifest) on modules shaped like real third-party builds
// (../shared/data/real-plugin-shapes): TinyGo, Go, Haskell and C runtimes export malloc, asyncify_*, hs_init or
// _initialize beside the plugin's functions. Those are listed as information; a module that is really broken fails.

const PASSING: Record<string, { language: string; runtime: string[]; plugin: string[] }> = {
  'mcp.run-servlets@cec991b__servlets_bluesky_dist_plugin.wasm': {
    language: 'TinyGo',
    runtime: [
      'malloc',
      'free',
      'calloc',
      'realloc',
      '_start',
      'asyncify_start_unwind',
      'asyncify_stop_unwind',
      'asyncify_start_rewind',
      'asyncify_stop_rewind',
      'asyncify_get_state',
    ],
    plugin: ['call', 'describe'],
  },
  'go-sdk__wasm_host.wasm': {
    language: 'TinyGo',
    runtime: ['malloc', 'free', 'calloc', 'realloc', '_start'],
    plugin: ['run_test'],
  },
  'go-sdk__wasm_fs_std.wasm': { language: 'Go', runtime: ['_initialize'], plugin: ['run_test'] },
  'js-sdk__wasm_hello_haskell.wasm': { language: 'Haskell', runtime: ['_initialize', 'hs_init'], plugin: ['testing'] },
  'extism__wasm_code-functions.wasm': { language: 'C11', runtime: ['_initialize'], plugin: ['count_vowels'] },
};

describe('wharf-admin scan on real plugin shapes, without --manifest', () => {
  let dir: string;
  let shapes: RealShape[];
  const path = (file: string) => join(dir, file);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wharf-real-shapes-'));
    shapes = readShapes();
    for (const s of shapes) writeFileSync(path(s.file), await shapeWasm(s));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(Object.entries(PASSING))('passes %s and lists its runtime exports as info', async (file, want) => {
    const json = await runCli(WHARF_ADMIN, ['--json', 'scan', path(file)]);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const r = JSON.parse(json.stdout) as {
      ok: boolean;
      language: string;
      runtimeExports: string[];
      checks: { id: string; status: string; message: string }[];
    };
    expect(r.ok).toBe(true);
    expect(r.language).toBe(want.language);
    for (const name of want.runtime) expect(r.runtimeExports).toContain(name);
    expect(r.checks.find((c) => c.id === 'wasm.exports')).toMatchObject({
      status: 'pass',
      message: expect.stringContaining(`() -> i32: ${want.plugin.join(', ')}`),
    });

    const human = await runCli(WHARF_ADMIN, ['scan', path(file)]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/: ok \(/);
    expect(human.stdout).toMatch(new RegExp(`^ {2}info {2}runtime-exports +.*${want.runtime.at(-1)}`, 'm'));
  });

  it('still fails a truly broken module: the Extism kernel itself, and a plugin export with the wrong signature', async () => {
    const kernel = await runCli(WHARF_ADMIN, ['scan', path('extism__runtime_src_extism-runtime.wasm')]);
    expect(kernel.code).toBe(1);
    expect(kernel.stdout).toMatch(/REFUSED/);
    expect(kernel.stdout).toMatch(/fail {2}wasm\.exports +E_WASM_EXPORT: exports without the Extism signature/);

    const tinygo = shapes.find((s) => s.file === 'go-sdk__wasm_lib.wasm') as RealShape;
    const broken = shapeWat(tinygo).replace(
      '(func (export "capitalize") (result i32) i32.const 0)',
      '(func (export "capitalize") (param i64) (result i32) i32.const 0)',
    );
    writeFileSync(path('broken.wasm'), await wat(broken));
    const r = await runCli(WHARF_ADMIN, ['scan', path('broken.wasm')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/fail {2}wasm\.exports +E_WASM_EXPORT: .*capitalize \(i64\) -> \(i32\)/);
    // The runtime exports are still only information, not the reason.
    expect(r.stdout).not.toMatch(/E_WASM_EXPORT: .*malloc/);
  });
});
