// minisign files from outside: public keys (issue forms, plugin.json, minisign.pub at a tag), signatures (release
// assets, registry.json) and secret keys (the author's own files, with or without a password).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake2b512, parsePublicKey, parseSecretKey, parseSignature, verifyPrehashed } from '@wharf/client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nastyString } from './json-mutations.js';
import { fuzz, onlyWharfErrors } from './only-wharf-errors.js';
import { FUZZ_TIMEOUT_MS } from './run-budget.js';
import { REPO } from './samples.js';

const read = (...p: string[]) => readFileSync(join(REPO, ...p), 'utf8');
const PUB = read('examples', 'keys', 'example.pub');
const KEY = read('examples', 'keys', 'example.key');
const ENCRYPTED = read('client', 'test', 'fixtures', 'signing', 'encrypted-password-pw.key');
const SIGS = ['count-vowels', 'greet', 'word-stats'].map((n) => read('examples', n, 'plugin.wasm.minisig'));
const WASM_HASH = blake2b512(readFileSync(join(REPO, 'examples', 'greet', 'plugin.wasm')));
const PK = parsePublicKey(PUB);

/** The file's lines with edits: a line replaced, dropped, doubled or padded, CRLF, a base64 character changed. */
function editedLines(text: string): fc.Arbitrary<string> {
  const lines = text.split('\n');
  const lineEdit = fc.record({
    line: fc.nat(),
    op: fc.constantFrom('replace', 'drop', 'double', 'pad', 'crlf', 'char', 'truncate'),
    text: nastyString,
    at: fc.nat(),
    char: fc.constantFrom('A', '/', '+', '=', '-', '_', ' ', '\t', '\u0000', 'é'),
  });
  return fc.array(lineEdit, { minLength: 1, maxLength: 3 }).map((edits) => {
    const ls = [...lines];
    for (const e of edits) {
      const i = e.line % ls.length;
      const l = ls[i] ?? '';
      const at = l.length === 0 ? 0 : e.at % l.length;
      if (e.op === 'replace') ls[i] = e.text;
      else if (e.op === 'drop') ls.splice(i, 1);
      else if (e.op === 'double') ls.splice(i, 0, l);
      else if (e.op === 'pad') ls[i] = ` ${l} `;
      else if (e.op === 'crlf') ls[i] = `${l}\r`;
      else if (e.op === 'truncate') ls[i] = l.slice(0, at);
      else ls[i] = `${l.slice(0, at)}${e.char}${l.slice(at + 1)}`;
    }
    return ls.join('\n');
  });
}

/** A file whose base64 line is `prefix` followed by random bytes: well-formed enough to reach the field checks. */
const base64File = (comment: string, prefix: number[], length: number) =>
  fc
    .uint8Array({ minLength: length - prefix.length, maxLength: length - prefix.length })
    .map((rest) => `untrusted comment: ${comment}\n${Buffer.concat([Buffer.from(prefix), rest]).toString('base64')}\n`);

/**
 * An encrypted ("Sc") secret key with random scrypt limits, either cheap (N ≤ 2^12) or far past minisign's own
 * (which must be refused at once). Limits in between cost what minisign's own keys cost (1 GiB, seconds), so a fuzz
 * run does not draw them; the fixture covers that case once.
 */
const encryptedKey = fc
  .tuple(
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
    fc.oneof(
      fc.tuple(fc.bigInt(0n, 1n << 16n), fc.bigInt(0n, 1n << 16n)),
      fc.tuple(fc.bigInt(1n << 36n, (1n << 64n) - 1n), fc.bigInt(0n, (1n << 64n) - 1n)),
      fc.tuple(fc.bigInt(0n, (1n << 64n) - 1n), fc.bigInt(1n << 37n, (1n << 64n) - 1n)),
    ),
    fc.uint8Array({ minLength: 104, maxLength: 104 }),
  )
  .map(([salt, [ops, mem], keynum]) => {
    const raw = Buffer.alloc(158);
    raw.write('EdScB2', 0, 'latin1');
    raw.set(salt, 6);
    raw.writeBigUInt64LE(ops, 38);
    raw.writeBigUInt64LE(mem, 46);
    raw.set(keynum, 54);
    return `untrusted comment: minisign encrypted secret key\n${raw.toString('base64')}\n`;
  });

describe('fuzz: minisign files', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('public keys: edited .pub files, random Ed keys, random text', () =>
    fuzz(fc.oneof(editedLines(PUB), base64File('minisign public key', [0x45, 0x64], 42), fc.string()), parsePublicKey));

  it('signatures: edited .minisig files and random text, through parse and verify', () =>
    fuzz(fc.oneof(fc.constantFrom(...SIGS).chain(editedLines), fc.string({ maxLength: 400 })), (text) => {
      parseSignature(text);
      verifyPrehashed(WASM_HASH, text, PK);
    }));

  it('secret keys without a password: edited key files and random unencrypted keys', () =>
    fuzz(
      fc.oneof(
        editedLines(KEY),
        editedLines(ENCRYPTED),
        base64File('minisign secret key', [0x45, 0x64, 0, 0, 0x42, 0x32], 158),
      ),
      (text) => parseSecretKey(text),
    ));

  it('found by fuzzing: scrypt limits of 2^40 are E_USAGE at once, not a raw OpenSSL "malloc failure"', () => {
    const raw = Buffer.from(ENCRYPTED.split('\n')[1] ?? '', 'base64');
    raw.writeBigUInt64LE(1n << 40n, 38);
    raw.writeBigUInt64LE(1n << 40n, 46);
    const text = `untrusted comment: x\n${raw.toString('base64')}\n`;
    const t0 = performance.now();
    expect(() => parseSecretKey(text, 'pw')).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(performance.now() - t0).toBeLessThan(1000);
    onlyWharfErrors((t: string) => parseSecretKey(t, 'pw'))(text);
  });

  it('encrypted secret keys with random scrypt limits and a password', () =>
    fuzz(encryptedKey, (text) => parseSecretKey(text, 'pw')));
});
