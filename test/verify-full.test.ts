// Where the author check runs (DESIGN §3): install verifies the global signature (signature + trusted comment) and
// that the comment's sha256= is the file's sha256, with no BLAKE2b pass; `wharf verify --full` does the whole
// `minisign -V` check of every installed artifact. Real signed registry, real minisign for the legacy signature.
import { execFileSync } from 'node:child_process';
import * as realCrypto from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  formatSignature,
  parseSecretKey,
  parseSignature,
  signFile,
  signPrehashed,
  type WharfClient,
} from '@wharf/client';
import type { Registry } from '@wharf/schemas';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { edSign } from '../client/src/signing/ed25519.js';
import { EXAMPLES, runCli, WHARF } from './helpers/demo.js';
import { createLab, type ReleaseLab, withCustomSection } from './helpers/release-lab.js';
import { expectRefusal } from './helpers/snapshot-dir.js';

// Every hash the client makes in this process, by algorithm: install must make sha256 ones and no BLAKE2b.
const hashes = vi.hoisted(() => [] as string[]);
vi.mock('node:crypto', async (importOriginal) => {
  const orig = await importOriginal<typeof import('node:crypto')>();
  const createHash = (alg: string, o?: realCrypto.HashOptions) => {
    hashes.push(alg.toLowerCase());
    return orig.createHash(alg, o);
  };
  return { ...orig, createHash, default: { ...orig, createHash } };
});

const KEY = join(EXAMPLES, 'keys', 'example.key');
const sha256 = (b: Uint8Array) => realCrypto.createHash('sha256').update(b).digest('hex');

describe('the author check at install and in verify --full', () => {
  let lab: ReleaseLab;
  let c: WharfClient;
  const art = (id: string) => join(lab.artifacts, `${id}-1.0.0`, 'plugin.wasm');
  const release = (reg: Registry, id: string) =>
    reg.plugins.find((p) => p.plugin_id === id)?.releases[0] as Registry['plugins'][0]['releases'][0];

  beforeAll(async () => {
    lab = await createLab();
    for (const id of ['good', 'legacy', 'global-only', 'swapped', 'skewed']) await lab.add({ id, version: '1.0.0' });
    const sk = parseSecretKey(readFileSync(KEY, 'utf8'));
    // A legacy (non-prehashed `Ed`) signature with the Wharf binding, made by the real minisign CLI.
    const legacySig = join(lab.root, 'legacy.minisig');
    const tc = `wharf1 id=legacy version=1.0.0 sha256=${sha256(readFileSync(art('legacy')))}`;
    execFileSync('minisign', ['-S', '-l', '-s', KEY, '-m', art('legacy'), '-t', tc, '-x', legacySig], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    // The author's key signed the trusted comment (global signature) but the signature over the bytes is garbage:
    // only the full minisign -V check can tell.
    const good = parseSignature(readFileSync(`${art('global-only')}.minisig`, 'utf8'));
    const junk = new Uint8Array(64).fill(7);
    const globalOnly = formatSignature({
      ...good,
      signature: junk,
      globalSignature: edSign(Buffer.concat([junk, Buffer.from(good.trustedComment)]), sk.seed),
    });
    // A genuine signature of other bytes under the same id and version: its comment names their sha256.
    const other = join(lab.root, 'other.wasm');
    writeFileSync(other, withCustomSection(readFileSync(art('swapped')), 'other', 'bytes'));
    const swapped = signFile(other, { id: 'swapped', version: '1.0.0', secretKeyPath: KEY });
    // A valid signature of the served bytes whose comment names another sha256.
    const digest = realCrypto
      .createHash('blake2b512')
      .update(readFileSync(art('skewed')))
      .digest();
    const skewed = signPrehashed(digest, sk, `wharf1 id=skewed version=1.0.0 sha256=${'ab'.repeat(32)}`);
    await lab.edit((reg) => {
      release(reg, 'legacy').minisig = readFileSync(legacySig, 'utf8');
      release(reg, 'global-only').minisig = globalOnly;
      release(reg, 'swapped').minisig = readFileSync(swapped.sigPath, 'utf8');
      release(reg, 'skewed').minisig = skewed;
    });
    await lab.publish();
    c = await lab.client();
    await c.install('good');
  });
  afterAll(async () => lab?.close());

  it('install hashes with sha256 only: no BLAKE2b pass over the artifact', async () => {
    hashes.length = 0;
    const home = await lab.client();
    hashes.length = 0;
    expect(await home.install('good')).toMatchObject({ status: 'installed', fromCache: false });
    expect(hashes).toContain('sha256'); // the spy sees the client's hashing at all
    expect(hashes.filter((a) => a.includes('blake2b'))).toEqual([]);
    // verify --full is where the BLAKE2b pass happens.
    hashes.length = 0;
    expect(await home.verify({ full: true })).toEqual([{ id: 'good', ok: true }]);
    expect(hashes).toContain('blake2b512');
  });

  it('a legacy Ed signature is checked the same way at install and fully by verify --full', async () => {
    const r = await c.install('legacy');
    expect(r.status).toBe('installed');
    expect(await c.verify({ full: true })).toEqual([
      { id: 'good', ok: true },
      { id: 'legacy', ok: true },
    ]);
  });

  it('a signature bound to other bytes (same id and version): E_SIG_BINDING at install', async () => {
    const e = await expectRefusal(c.home.root, 'E_SIG_BINDING', () => c.install('swapped'));
    expect(e.message).toMatch(/sha256 is [0-9a-f]{64} in the signature/);
  });

  it("a trusted comment whose sha256 isn't the file's: E_SIG_BINDING at install", async () => {
    const e = await expectRefusal(c.home.root, 'E_SIG_BINDING', () => c.install('skewed'));
    expect(e.message).toContain(`sha256 is ${'ab'.repeat(32)} in the signature`);
  });

  it('verify --full finds a bad signature over the bytes that install and plain verify accept; passes good installs', async () => {
    const home = await lab.client();
    await home.install('good');
    await home.install('global-only'); // the author vouched for this sha256, which is what install relies on
    expect(await home.verify()).toEqual([
      { id: 'global-only', ok: true },
      { id: 'good', ok: true },
    ]);
    const full = await home.verify({ full: true });
    expect(full[1]).toEqual({ id: 'good', ok: true });
    expect(full[0]).toMatchObject({ id: 'global-only', ok: false, code: 'E_SIG_INVALID' });
    expect(full[0]?.problem).toMatch(/does not match the data/);

    // An edited trusted comment beside the installed bytes: the global signature no longer holds.
    const rel = join(
      home.home.root,
      (home.list().find((e) => e.id === 'good')?.path ?? '').replace(/plugin\.wasm$/, 'release.json'),
    );
    const doc = JSON.parse(readFileSync(rel, 'utf8'));
    doc.release.minisig = doc.release.minisig.replace('trusted comment: wharf1 ', 'trusted comment: wharf1  ');
    writeFileSync(rel, JSON.stringify(doc));
    expect((await home.verify()).every((v) => v.ok)).toBe(true);
    expect((await home.verify({ full: true }))[1]).toMatchObject({ id: 'good', ok: false, code: 'E_SIG_INVALID' });
    expect((await home.verify({ full: true }))[1]?.problem).toMatch(/comment signature invalid/);

    const plain = await runCli(WHARF, ['--home', home.home.root, '--json', 'verify']);
    expect(plain.code, plain.stderr).toBe(0);
    const cli = await runCli(WHARF, ['--home', home.home.root, '--json', 'verify', '--full']);
    expect(cli.code).toBe(1);
    expect(cli.stdout + cli.stderr).toContain('E_SIG_INVALID');
    const ok = await runCli(WHARF, ['--home', c.home.root, '--json', 'verify', '--full']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([
      { id: 'good', ok: true },
      { id: 'legacy', ok: true },
    ]);
  });
});
