// The CLI contract: through the real bin (node tools/bin/wharf-admin.js) and through main() with captured output.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { minisignKey, runMain, signedRelease, tempDir, tempFiles } from './fixtures.js';

const toolsDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(toolsDir, 'bin', 'wharf-admin.js');

function runBin(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let tmp: Awaited<ReturnType<typeof tempDir>>;

beforeAll(() => {
  // The bin runs dist/. `npm test` builds first; build here only when it was never built.
  if (!existsSync(join(toolsDir, 'dist', 'cli', 'main.js'))) {
    try {
      execFileSync('npx', ['tsc', '-b', toolsDir], { stdio: 'pipe' });
    } catch {
      // other packages' type errors don't stop emit; the bin test below fails loudly if dist is missing
    }
  }
});

beforeEach(async () => {
  tmp = await tempDir();
});

afterEach(async () => {
  await tmp.cleanup();
});

describe('wharf-admin validate (real bin)', () => {
  it('exit 0 for a good registry, 1 with path/code/message lines for a bad one, --json gives {kind, problems}', async () => {
    const reg = join(tmp.path, 'reg');
    const init = runBin(['registry', 'init', reg, '--name', 'CLI test']);
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/Root sha256: [0-9a-f]{64}/);
    expect(init.stdout).toContain(join(tmp.path, 'reg.keys'));

    const good = runBin(['validate', join(reg, 'registry.json')]);
    expect(good.status, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/registry/);

    const badPath = join(tmp.path, 'bad.json');
    const registry = JSON.parse(await readFile(join(reg, 'registry.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(badPath, JSON.stringify({ ...registry, plugins: [{ plugin_id: 'Bad_ID' }] }));
    const bad = runBin(['validate', badPath]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/\/plugins\/0\S*\s{2}E_[A-Z_]+\s{2}\S/);

    const asJson = runBin(['validate', badPath, '--json']);
    expect(asJson.status).toBe(1);
    const parsed = JSON.parse(asJson.stdout) as { kind: string; problems: Array<{ path: string; code: string }> };
    expect(parsed.kind).toBe('registry');
    expect(parsed.problems.length).toBeGreaterThan(0);
    expect(parsed.problems[0]?.code).toMatch(/^E_/);

    expect(runBin(['validate']).status).toBe(2);
    expect(runBin(['validate', join(tmp.path, 'missing.json')]).status).toBe(2);
  });
});

describe('wharf-admin via main()', () => {
  it('--help exits 0; unknown commands and missing options exit 2', async () => {
    const help = await runMain(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('resign-timestamp');
    expect((await runMain(['add', '--help'])).stdout).toContain('--manifest');
    expect((await runMain(['frobnicate'])).code).toBe(2);
    const missing = await runMain(['add', tmp.path, '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'E_USAGE' } });
  });

  it('init → add → publish → resign-timestamp → serve; a refused add exits 1 with its E_ code and changes nothing', async () => {
    const reg = join(tmp.path, 'reg');
    const keys = join(tmp.path, 'elsewhere-keys');
    expect((await runMain(['registry', 'init', reg, '--keys', keys])).code).toBe(0);
    const author = await minisignKey(tmp.path);
    const rel = await signedRelease(tmp.path, author);
    const args = ['add', reg, '--manifest', rel.manifestPath, '--wasm', rel.wasmPath, '--sig', rel.sigPath];
    const added = await runMain([
      ...args,
      '--url',
      'https://example.com/a.wasm',
      '--url',
      'http://127.0.0.1:1/a.wasm',
      '--json',
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ changed: true, plugin_id: 'hello-wharf' });

    const published = await runMain(['publish', reg, '--keys', keys, '--json']);
    expect(published.code, published.stdout + published.stderr).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({ targetsVersion: 2 });
    // without --keys the default (<parent>/reg.keys) does not exist here
    const noKeys = await runMain(['publish', reg]);
    expect(noKeys.code).toBe(1);
    expect(noKeys.stderr).toMatch(/^error E_IO: /);
    expect((await runMain(['resign-timestamp', reg, '--keys', keys])).stdout).toMatch(/Timestamp v3/);

    const before = await readFile(join(reg, 'registry.json'));
    const other = await signedRelease(tmp.path, author, { variant: 9 });
    const refused = await runMain([
      'add',
      reg,
      '--manifest',
      other.manifestPath,
      '--wasm',
      other.wasmPath,
      '--sig',
      other.sigPath,
      '--url',
      'https://example.com/a.wasm',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error E_VERSION_IMMUTABLE: /);
    expect((await readFile(join(reg, 'registry.json'))).equals(before)).toBe(true);
    expect(await tempFiles(tmp.path)).toEqual([]);

    const served = await runMain(['serve', reg, '--port', '0', '--json']);
    expect(served.code).toBe(0);
    expect(JSON.parse(served.stdout).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
