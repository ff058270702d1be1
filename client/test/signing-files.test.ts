// Key and signature files on disk: never clobbered by accident, secret key private, no temp debris.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePublicKey, parseSecretKey, signFile, verifyBytes, writeKeyPair } from '../src/signing/index.js';
import { expectWharfError, tempDir, tempFilesIn } from './fixtures/signing/helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

describe('writeKeyPair', () => {
  it('writes a matching pair, the secret key mode 0600, and nothing else', () => {
    const res = writeKeyPair(dir);
    expect(res.publicKeyPath).toBe(join(dir, 'wharf.pub'));
    expect(res.secretKeyPath).toBe(join(dir, 'wharf.key'));
    const pk = parsePublicKey(readFileSync(res.publicKeyPath, 'utf8'));
    const sk = parseSecretKey(readFileSync(res.secretKeyPath, 'utf8'));
    expect(sk.publicKey).toEqual(pk);
    expect(res.keyid).toBe(pk.keyid);
    if (process.platform !== 'win32') expect(statSync(res.secretKeyPath).mode & 0o777).toBe(0o600);
    expect(tempFilesIn(dir)).toEqual([]);
  });

  it('refuses to overwrite an existing pair (either half) unless forced', () => {
    const first = writeKeyPair(dir, { name: 'author' });
    const before = readFileSync(first.secretKeyPath, 'utf8');
    const err = expectWharfError(() => writeKeyPair(dir, { name: 'author' }), 'E_USAGE');
    expect(err.message).toContain('author.key');
    expect(readFileSync(first.secretKeyPath, 'utf8')).toBe(before);

    writeFileSync(join(dir, 'half.pub'), 'keep me');
    expectWharfError(() => writeKeyPair(dir, { name: 'half' }), 'E_USAGE');
    expect(readFileSync(join(dir, 'half.pub'), 'utf8')).toBe('keep me');

    const second = writeKeyPair(dir, { name: 'author', force: true });
    expect(readFileSync(second.secretKeyPath, 'utf8')).not.toBe(before);
    if (process.platform !== 'win32') expect(statSync(second.secretKeyPath).mode & 0o777).toBe(0o600);
    expect(tempFilesIn(dir)).toEqual([]);
  });

  it('leaves no temp files when writing fails', () => {
    mkdirSync(join(dir, 'blocked.pub')); // rename onto a directory fails after the key was placed
    expect(() => writeKeyPair(dir, { name: 'blocked', force: true })).toThrow();
    expect(tempFilesIn(dir)).toEqual([]);
    expectWharfError(() => writeKeyPair(join(dir, 'missing', 'dir')), 'E_IO');
    expectWharfError(() => writeKeyPair(dir, { name: '../escape' }), 'E_USAGE');
  });
});

describe('signFile', () => {
  it('writes <wasm>.minisig (or out) atomically with the binding', () => {
    const keys = writeKeyPair(dir);
    const wasm = join(dir, 'p.wasm');
    const bytes = Buffer.from('\0asm\x01\0\0\0');
    writeFileSync(wasm, bytes);
    const res = signFile(wasm, { id: 'a/b', version: '0.1.0', secretKeyPath: keys.secretKeyPath });
    const pk = parsePublicKey(readFileSync(keys.publicKeyPath, 'utf8'));
    const sig = verifyBytes(bytes, readFileSync(res.sigPath, 'utf8'), pk);
    expect(sig.trustedComment).toBe(`wharf1 id=a/b version=0.1.0 sha256=${res.sha256}`);

    const out = join(dir, 'elsewhere.minisig');
    expect(signFile(wasm, { id: 'a/b', version: '0.1.0', secretKeyPath: keys.secretKeyPath, out }).sigPath).toBe(out);
    expect(tempFilesIn(dir)).toEqual([]);
  });

  it('fails cleanly on a missing artifact or key', () => {
    const keys = writeKeyPair(dir);
    expectWharfError(
      () => signFile(join(dir, 'nope.wasm'), { id: 'a', version: '1', secretKeyPath: keys.secretKeyPath }),
      'E_IO',
    );
    writeFileSync(join(dir, 'p.wasm'), 'x');
    expectWharfError(
      () => signFile(join(dir, 'p.wasm'), { id: 'a', version: '1', secretKeyPath: join(dir, 'no.key') }),
      'E_IO',
    );
    expect(tempFilesIn(dir)).toEqual([]);
  });
});
