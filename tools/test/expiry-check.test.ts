import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotDir } from '../../test/helpers/snapshot-dir.js';
import { addReleaseFromFiles } from '../src/registry/add-release.js';
import { initRegistry } from '../src/registry/init.js';
import { migrateToSharded } from '../src/registry/sharded-store.js';
import { parseWithin } from '../src/tuf/expiry-check.js';
import { resignTimestamp } from '../src/tuf/publish.js';
import { publishShardedPlugins } from '../src/tuf/sharded-publish.js';
import { minisignKey, runMain, signedRelease, tempDir, tempFiles } from './fixtures.js';

// DESIGN §8 threat row "re-signing stops": resign.yml's monitor runs `wharf-admin check-expiry registry --within 2d`
// daily; it must fail (and so open an issue) once the timestamp of a real signed registry has two days or less left.
const HOUR = 3_600_000;

describe('wharf-admin check-expiry', () => {
  let tmp: { path: string; cleanup(): Promise<void> };
  let reg: string;
  let keys: string;
  beforeEach(async () => {
    tmp = await tempDir('wharf-expiry-');
    reg = join(tmp.path, 'registry');
    keys = join(tmp.path, 'keys');
    await initRegistry(reg, { keysDir: keys }); // signs timestamp (7 days), snapshot, targets, root
  });
  afterEach(() => tmp.cleanup());

  const check = (...args: string[]) => runMain(['check-expiry', reg, ...args]);
  const resignIn = (ms: number) => resignTimestamp(reg, { keysDir: keys, expires: new Date(Date.now() + ms) });

  /** The refusal contract: the code, the registry byte-identical (the check only reads), no temp files. */
  async function expectRefusal(code: string, args: string[]) {
    const before = snapshotDir(reg);
    const human = await check(...args);
    expect(human.code).toBe(code === 'E_USAGE' ? 2 : 1);
    expect(human.stderr).toMatch(new RegExp(`^error ${code}: `, 'm'));
    const json = await runMain(['--json', 'check-expiry', reg, ...args]);
    expect(JSON.parse(json.stdout).error.code).toBe(code);
    expect(snapshotDir(reg)).toEqual(before);
    expect(await tempFiles(tmp.path)).toEqual([]);
    return { human, json: JSON.parse(json.stdout) };
  }

  it('passes on a freshly published registry and lists every role', async () => {
    const { code, stdout } = await runMain(['--json', 'check-expiry', reg, '--within', '2d']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.roles.map((r: { role: string }) => r.role)).toEqual(['timestamp', 'snapshot', 'targets', 'root']);
    const ts = report.roles[0];
    expect(ts.remaining_ms).toBeGreaterThan(6 * 24 * HOUR);
    expect(report.error).toBeUndefined();
    const human = await check('--within', '2d');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^timestamp +v1 +expires \S+ +\(in 7(\.0)? days\)$/m);
  });

  it('fails with E_INDEX_EXPIRING when the timestamp has less than two days left', async () => {
    await resignIn(36 * HOUR);
    const { human, json } = await expectRefusal('E_INDEX_EXPIRING', ['--within', '2d']);
    expect(human.stderr).toMatch(/timestamp v2/);
    expect(human.stdout).toMatch(/^timestamp +v2 .*\(in 3\d(\.\d)? hours\)$/m); // the table is still printed
    expect(json.roles[0]).toMatchObject({ role: 'timestamp', version: 2 });
  });

  it('passes with three days left, and the window is what --within says', async () => {
    await resignIn(72 * HOUR);
    expect((await check('--within', '2d')).code).toBe(0);
    await expectRefusal('E_INDEX_EXPIRING', ['--within', '4d']);
    await expectRefusal('E_INDEX_EXPIRING', ['--within', '73h']);
  });

  it('fails with E_INDEX_EXPIRED once the timestamp has expired', async () => {
    await resignIn(-HOUR);
    const { human } = await expectRefusal('E_INDEX_EXPIRED', []);
    expect(human.stdout).toMatch(/^timestamp .*\(EXPIRED\)$/m);
  });

  it('refuses a timestamp whose expiry was edited without re-signing (E_INDEX_SIGNATURE)', async () => {
    await resignIn(24 * HOUR);
    const file = join(reg, 'metadata', 'timestamp.json');
    const md = JSON.parse(readFileSync(file, 'utf8'));
    md.signed.expires = '2099-01-01T00:00:00Z'; // hiding a stopped re-sign
    writeFileSync(file, JSON.stringify(md));
    await expectRefusal('E_INDEX_SIGNATURE', ['--within', '2d']);
  });

  it('refuses a bad duration as a usage error', async () => {
    await expectRefusal('E_USAGE', ['--within', 'two days']);
    expect(parseWithin('2d')).toBe(48 * HOUR);
    expect(parseWithin('90m')).toBe(90 * 60_000);
  });

  describe('on a sharded registry', () => {
    /** One plugin, sharded into four bins signed for the usual targets lifetime. */
    beforeEach(async () => {
      const author = await minisignKey(tmp.path);
      const rel = await signedRelease(tmp.path, author, { manifest: { id: 'plugin-0' } });
      await addReleaseFromFiles(reg, {
        manifestPath: rel.manifestPath,
        wasmPath: rel.wasmPath,
        sigPath: rel.sigPath,
        urls: ['https://example.org/plugin-0.wasm'],
      });
      await migrateToSharded(reg, { keysDir: keys, bitLength: 2 });
    });
    /**
     * Re-sign plugin-0's bin to expire `ms` from now; returns the bin check-expiry names first. The publish also
     * re-signs the bin of the search manifest (search/manifest.json), which may be another bin of the same expiry.
     */
    const binExpiringIn = async (ms: number) => {
      const { bins } = await publishShardedPlugins(reg, ['plugin-0'], {
        keysDir: keys,
        expires: { targets: new Date(Date.now() + ms) },
      });
      return [...bins].sort()[0] as string;
    };

    it('reports the bins as the one that expires first, of all of them', async () => {
      const { code, stdout } = await runMain(['--json', 'check-expiry', reg, '--within', '2d']);
      expect(code).toBe(0);
      const report = JSON.parse(stdout);
      expect(report.roles.map((r: { role: string }) => r.role)).toEqual([
        'timestamp',
        'snapshot',
        'targets',
        'bins',
        'root',
      ]);
      expect(report.roles[3]).toMatchObject({ role: 'bins', count: 4, name: expect.stringMatching(/^bins-[0-9a-f]$/) });
      expect(report.roles[3].remaining_ms).toBeGreaterThan(2 * 24 * HOUR);
      expect((await check('--within', '2d')).stdout).toMatch(/^bins +v1 +expires /m);
    });

    it('fails with E_INDEX_EXPIRING when one bin has less than two days left, naming it', async () => {
      const bin = await binExpiringIn(36 * HOUR);
      const { human, json } = await expectRefusal('E_INDEX_EXPIRING', ['--within', '2d']);
      expect(human.stderr).toContain(`${bin} v2`);
      expect(json.roles[3]).toMatchObject({ role: 'bins', name: bin, version: 2, file: `2.${bin}.json`, count: 4 });
      // Only the bin is listed: the other roles have their usual lifetimes.
      expect(json.error.message).toMatch(new RegExp(`^expires within 2 days: ${bin} v2 \\([^)]*\\); re-sign`));
    });

    it('fails with E_INDEX_EXPIRED once a bin has expired', async () => {
      const bin = await binExpiringIn(-HOUR);
      const { human } = await expectRefusal('E_INDEX_EXPIRED', []);
      expect(human.stderr).toContain(`${bin} v2`);
      expect(human.stdout).toMatch(/^bins .*\(EXPIRED\)$/m);
    });

    it('refuses a bin whose expiry was edited without re-signing (E_INDEX_SIGNATURE)', async () => {
      const bin = await binExpiringIn(24 * HOUR);
      const file = join(reg, 'metadata', `2.${bin}.json`);
      const md = JSON.parse(readFileSync(file, 'utf8'));
      md.signed.expires = '2099-01-01T00:00:00Z';
      writeFileSync(file, JSON.stringify(md));
      const { json } = await expectRefusal('E_INDEX_SIGNATURE', ['--within', '2d']);
      expect(json.error.message).toContain(bin);
    });
  });
});
