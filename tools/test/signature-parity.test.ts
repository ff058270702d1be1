// `wharf-admin add` and the review bot check a release signature the same way (DESIGN §3: exactly what
// `minisign -V` accepts, prehashed ED and legacy Ed alike, then the binding), on signatures made by the real
// minisign CLI; and minisign's default trusted comment is named as such wherever a binding is checked.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake2b512, verifyArtifactSignature } from '@wharf/client';
import { isWharfError, type Registry } from '@wharf/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addReleaseFromFiles, initRegistry } from '../src/index.js';
import { reviewRelease } from '../src/review/review-release.js';
import { type MinisignKey, minisignKey, type SignedRelease, signedRelease, tempDir, tempFiles } from './fixtures.js';

const URL = 'http://127.0.0.1:9/artifacts/plugin.wasm';
const DEFAULT_COMMENT = /minisign's default \("timestamp:\d+\\tfile:[^"]*"\), not a Wharf binding/;

let tmp: Awaited<ReturnType<typeof tempDir>>;
let reg: string;
let author: MinisignKey;

beforeEach(async () => {
  tmp = await tempDir();
  reg = join(tmp.path, 'registry');
  await initRegistry(reg);
  author = await minisignKey(tmp.path);
});
afterEach(() => tmp.cleanup());

/** Re-sign a release with the real minisign: `legacy` for -l (non-prehashed Ed), no `comment` for its default one. */
function resign(rel: SignedRelease, opts: { legacy?: boolean; comment?: string }): void {
  const args = ['-S', ...(opts.legacy ? ['-l'] : []), '-s', author.keyPath, '-m', rel.wasmPath, '-x', rel.sigPath];
  if (opts.comment) args.push('-t', opts.comment);
  execFileSync('minisign', args, { stdio: 'pipe' });
  // The real minisign accepts what it wrote.
  execFileSync('minisign', ['-V', '-p', author.pubPath, '-m', rel.wasmPath, '-x', rel.sigPath], { stdio: 'pipe' });
}

function review(rel: SignedRelease) {
  const { report } = reviewRelease({
    wasm: new Uint8Array(readFileSync(rel.wasmPath)),
    minisig: new Uint8Array(readFileSync(rel.sigPath)),
    manifest: new Uint8Array(readFileSync(rel.manifestPath)),
  });
  const of = (id: string) => report.checks.find((c) => c.id === id);
  return { valid: of('signature.valid'), binding: of('signature.binding') };
}

const add = (rel: SignedRelease) =>
  addReleaseFromFiles(reg, {
    manifestPath: rel.manifestPath,
    wasmPath: rel.wasmPath,
    sigPath: rel.sigPath,
    urls: [URL],
  });

const registryBytes = () => readFileSync(join(reg, 'registry.json'));
const leftovers = async () => [
  ...(await tempFiles(tmp.path)),
  ...readdirSync(tmp.path, { recursive: true }).filter((n) => String(n).includes('.wharf-tmp-')),
];

async function addRefusal(rel: SignedRelease, code: string): Promise<Error> {
  const before = registryBytes();
  const e = await add(rel).then(
    () => undefined,
    (x: unknown) => x as Error,
  );
  expect(isWharfError(e) ? e.code : e).toBe(code);
  expect(registryBytes().equals(before)).toBe(true);
  expect(await leftovers()).toEqual([]);
  return e as Error;
}

describe('add and review agree on release signatures', () => {
  it('both accept a prehashed ED signature with the binding', async () => {
    const rel = await signedRelease(tmp.path, author);
    expect(review(rel)).toMatchObject({ valid: { status: 'pass' }, binding: { status: 'pass' } });
    expect((await add(rel)).changed).toBe(true);
  });

  it('both accept a legacy (minisign -l, non-prehashed Ed) signature with the binding', async () => {
    const rel = await signedRelease(tmp.path, author);
    resign(rel, { legacy: true, comment: `wharf1 id=hello-wharf version=1.0.0 sha256=${rel.sha256}` });
    expect(readFileSync(rel.sigPath, 'utf8').split('\n')[1]?.startsWith('RW')).toBe(true); // "Ed", not "ED"
    expect(review(rel)).toMatchObject({ valid: { status: 'pass' }, binding: { status: 'pass' } });
    const out = await add(rel);
    expect(out.changed).toBe(true);
    const r = JSON.parse(registryBytes().toString('utf8')) as Registry;
    expect(r.plugins[0]?.releases[0]?.minisig).toBe(readFileSync(rel.sigPath, 'utf8'));
  });

  for (const legacy of [false, true])
    it(`both refuse minisign's default trusted comment (${legacy ? 'Ed' : 'ED'}) with E_SIG_BINDING saying so`, async () => {
      const rel = await signedRelease(tmp.path, author);
      resign(rel, { legacy });
      const r = review(rel);
      expect(r.valid?.status).toBe('pass');
      expect(r.binding?.status).toBe('fail');
      expect(r.binding?.message).toMatch(/^E_SIG_BINDING: /);
      expect(r.binding?.message).toMatch(DEFAULT_COMMENT);
      expect((await addRefusal(rel, 'E_SIG_BINDING')).message).toMatch(DEFAULT_COMMENT);
    });

  it('install says the same about a prehashed signature with the default comment', async () => {
    const rel = await signedRelease(tmp.path, author);
    resign(rel, {});
    const wasm = new Uint8Array(readFileSync(rel.wasmPath));
    let err: unknown;
    try {
      verifyArtifactSignature({
        blake2b512: blake2b512(wasm),
        sha256: rel.sha256,
        minisig: readFileSync(rel.sigPath, 'utf8'),
        publicKey: author.publicKey,
        id: 'hello-wharf',
        version: '1.0.0',
      });
    } catch (e) {
      err = e;
    }
    expect(isWharfError(err) && err.code).toBe('E_SIG_BINDING');
    expect((err as Error).message).toMatch(DEFAULT_COMMENT);
  });

  it('both refuse a signature by another key with E_SIG_INVALID', async () => {
    const rel = await signedRelease(tmp.path, author);
    const other = await minisignKey(tmp.path, 'other');
    execFileSync('minisign', ['-S', '-l', '-s', other.keyPath, '-m', rel.wasmPath, '-x', rel.sigPath, '-t', 'x']);
    expect(review(rel).valid?.message).toMatch(/^E_SIG_INVALID/);
    await addRefusal(rel, 'E_SIG_INVALID');
  });
});
