// Interop with the real minisign 0.11 CLI, both directions. No mocks: if these pass, Wharf and
// `minisign` agree on every byte of keys and signatures.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  blake2b512,
  formatPublicKey,
  formatSecretKey,
  formatTrustedComment,
  generateKeyPair,
  parsePublicKey,
  parseSecretKey,
  signBytes,
  signFile,
  verifyArtifactSignature,
  verifyBytes,
  verifyPrehashed,
  writeKeyPair,
} from '../src/signing/index.js';
import { expectWharfError, minisign, tempDir } from './fixtures/signing/helpers.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

/** A `minisign -G -W` key pair in `dir`. */
function minisignKeyPair(name = 'ms'): { pub: string; key: string } {
  const pub = join(dir, `${name}.pub`);
  const key = join(dir, `${name}.key`);
  const r = minisign(['-G', '-W', '-p', pub, '-s', key]);
  expect(r.status, r.stderr).toBe(0);
  return { pub, key };
}

function writeArtifact(bytes = Buffer.from('\0asm\x01\0\0\0 wharf test artifact')): { path: string; bytes: Buffer } {
  const path = join(dir, 'plugin.wasm');
  writeFileSync(path, bytes);
  return { path, bytes };
}

describe('files signed by minisign verify in Wharf', () => {
  it('verifyArtifactSignature and verifyBytes accept a minisign -S signature with the Wharf binding', () => {
    const { pub, key } = minisignKeyPair();
    const { path, bytes } = writeArtifact();
    const tc = formatTrustedComment({ id: 'x', version: '1.0.0', sha256: sha256(bytes) });
    const r = minisign(['-S', '-s', key, '-m', path, '-t', tc]);
    expect(r.status, r.stderr).toBe(0);
    const minisig = readFileSync(`${path}.minisig`, 'utf8');
    const pubText = readFileSync(pub, 'utf8');

    const sig = verifyArtifactSignature({
      blake2b512: blake2b512(bytes),
      sha256: sha256(bytes),
      minisig,
      publicKey: pubText,
      id: 'x',
      version: '1.0.0',
    });
    expect(sig.algorithm).toBe('ED');
    expect(sig.trustedComment).toBe(tc);
    expect(verifyBytes(bytes, minisig, parsePublicKey(pubText)).trustedComment).toBe(tc);

    // Key id: minisign prints le64(keyid bytes) in upper-case hex without leading zeros (1 key in 16 has one);
    // ours is the same number as 16 lower-case digits.
    const printed = /minisign public key ([0-9A-F]{1,16})\n/.exec(pubText)?.[1];
    expect(printed).toBeDefined();
    expect(sig.keyid).toBe(printed?.toLowerCase().padStart(16, '0'));
    expect(parsePublicKey(pubText).keyid).toBe(printed?.toLowerCase().padStart(16, '0'));
    expect(formatPublicKey(parsePublicKey(pubText))).toBe(pubText);
  });

  it('verifyBytes accepts a legacy (-l, non-prehashed Ed) signature, verifyPrehashed refuses it', () => {
    const { pub, key } = minisignKeyPair();
    const { path, bytes } = writeArtifact();
    expect(minisign(['-S', '-l', '-s', key, '-m', path, '-t', 'legacy']).status).toBe(0);
    const minisig = readFileSync(`${path}.minisig`, 'utf8');
    const pk = parsePublicKey(readFileSync(pub, 'utf8'));
    expect(verifyBytes(bytes, minisig, pk).algorithm).toBe('Ed');
    expectWharfError(() => verifyPrehashed(blake2b512(bytes), minisig, pk), 'E_SIG_INVALID');
  });

  it('a tampered file, an edited trusted comment, and another key are all refused (and minisign agrees)', () => {
    const { pub, key } = minisignKeyPair();
    const other = minisignKeyPair('other');
    const { path, bytes } = writeArtifact();
    const tc = formatTrustedComment({ id: 'x', version: '1.0.0', sha256: sha256(bytes) });
    expect(minisign(['-S', '-s', key, '-m', path, '-t', tc]).status).toBe(0);
    const minisig = readFileSync(`${path}.minisig`, 'utf8');
    const pk = parsePublicKey(readFileSync(pub, 'utf8'));

    const tampered = Buffer.from(bytes);
    tampered[10] = (tampered[10] as number) ^ 0x01;
    expectWharfError(() => verifyBytes(tampered, minisig, pk), 'E_SIG_INVALID');
    writeFileSync(path, tampered);
    expect(minisign(['-V', '-p', pub, '-m', path]).status).not.toBe(0);
    writeFileSync(path, bytes);

    const edited = minisig.replace('version=1.0.0', 'version=1.0.1');
    expect(edited).not.toBe(minisig);
    expectWharfError(() => verifyBytes(bytes, edited, pk), 'E_SIG_INVALID');
    writeFileSync(`${path}.minisig`, edited);
    const r = minisign(['-V', '-p', pub, '-m', path]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('Comment signature verification failed');
    writeFileSync(`${path}.minisig`, minisig);

    // Both tools name the two key ids the same way.
    const otherPk = parsePublicKey(readFileSync(other.pub, 'utf8'));
    const err = expectWharfError(() => verifyBytes(bytes, minisig, otherPk), 'E_SIG_INVALID');
    const ms = minisign(['-V', '-p', other.pub, '-m', path]);
    expect(ms.status).not.toBe(0);
    // minisign -V prints the ids with %PRIX64 (no zero padding); our messages give all 16 digits.
    const unpadded = (id: string): string => id.toUpperCase().replace(/^0+(?=.)/, '');
    expect(ms.stderr).toContain(`is ${unpadded(pk.keyid)}\n`);
    expect(ms.stderr).toContain(`is ${unpadded(otherPk.keyid)}\n`);
    expect(err.message).toContain(pk.keyid.toUpperCase());
    expect(err.message).toContain(otherPk.keyid.toUpperCase());
  });

  it('parseSecretKey reads a minisign -G -W key, and minisign verifies what Wharf signs with it', () => {
    const { pub, key } = minisignKeyPair();
    const sk = parseSecretKey(readFileSync(key, 'utf8'));
    const pubText = readFileSync(pub, 'utf8');
    expect(sk.publicKey.base64).toBe(parsePublicKey(pubText).base64);
    const { path, bytes } = writeArtifact();
    writeFileSync(`${path}.minisig`, signBytes(bytes, sk, 'made by wharf'));
    const r = minisign(['-V', '-p', pub, '-m', path]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Trusted comment: made by wharf');
  });

  it('parseSecretKey decrypts a password-protected (scrypt) minisign key', () => {
    // Fixture made with `minisign -G` and password "pw"; minisign's scrypt costs ~1 GiB and a few seconds.
    const fixtures = join(import.meta.dirname, 'fixtures', 'signing');
    const text = readFileSync(join(fixtures, 'encrypted-password-pw.key'), 'utf8');
    const pk = parsePublicKey(readFileSync(join(fixtures, 'encrypted-password-pw.pub'), 'utf8'));
    expectWharfError(() => parseSecretKey(text), 'E_USAGE');
    const sk = parseSecretKey(text, 'pw');
    expect(sk.publicKey.base64).toBe(pk.base64);
    expect(verifyBytes(Buffer.from('x'), signBytes(Buffer.from('x'), sk, 't'), pk).trustedComment).toBe('t');
  }, 120_000);
});

describe('files signed by Wharf verify in minisign', () => {
  it('signFile with a writeKeyPair key verifies with minisign -V, showing the binding', () => {
    const keys = writeKeyPair(dir);
    const { path, bytes } = writeArtifact();
    const res = signFile(path, { id: 'acme/counter', version: '2.3.4', secretKeyPath: keys.secretKeyPath });
    expect(res.sigPath).toBe(`${path}.minisig`);
    expect(res.sha256).toBe(sha256(bytes));
    expect(res.keyid).toBe(keys.keyid);
    const r = minisign(['-V', '-p', keys.publicKeyPath, '-m', path]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Signature and comment signature verified');
    expect(r.stdout).toContain(`Trusted comment: wharf1 id=acme/counter version=2.3.4 sha256=${sha256(bytes)}`);
    // And minisign can require the prehashed form, which is what Wharf promises.
    expect(minisign(['-V', '-H', '-p', keys.publicKeyPath, '-m', path]).status).toBe(0);
  });

  it('minisign -S accepts a formatSecretKey key without a password, and -R derives the same public key', () => {
    const sk = generateKeyPair();
    const key = join(dir, 'w.key');
    const pub = join(dir, 'w.pub');
    writeFileSync(key, formatSecretKey(sk), { mode: 0o600 });
    writeFileSync(pub, formatPublicKey(sk.publicKey));
    const { path, bytes } = writeArtifact();
    const s = minisign(['-S', '-s', key, '-m', path, '-t', 'signed by minisign with a wharf key']);
    expect(s.status, s.stderr + s.stdout).toBe(0);
    expect(s.stdout).not.toContain('Password');
    expect(verifyBytes(bytes, readFileSync(`${path}.minisig`, 'utf8'), sk.publicKey).trustedComment).toBe(
      'signed by minisign with a wharf key',
    );
    expect(minisign(['-V', '-p', pub, '-m', path]).status).toBe(0);

    const recreated = join(dir, 'recreated.pub');
    expect(minisign(['-R', '-s', key, '-p', recreated]).status).toBe(0);
    expect(readFileSync(recreated, 'utf8')).toBe(formatPublicKey(sk.publicKey));
  });
});
