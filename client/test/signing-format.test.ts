// Parsing, binding and failure modes, without the CLI: each malformed input must fail closed with a stable code.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blake2b } from '../src/signing/blake2b.js';
import { edSign } from '../src/signing/ed25519.js';
import {
  blake2b512,
  checkBinding,
  formatPublicKey,
  formatSecretKey,
  formatSignature,
  formatTrustedComment,
  generateKeyPair,
  parsePublicKey,
  parseSecretKey,
  parseSignature,
  parseTrustedComment,
  signBytes,
  verifyArtifactSignature,
  verifyBytes,
  verifyPrehashed,
  verifyReleaseSignature,
} from '../src/signing/index.js';
import { expectWharfError } from './fixtures/signing/helpers.js';

const sk = generateKeyPair();
const data = new TextEncoder().encode('plugin A bytes');
const sha = createHash('sha256').update(data).digest('hex');
const binding = { id: 'acme/a', version: '1.0.0', sha256: sha };
const minisig = signBytes(data, sk, formatTrustedComment(binding));

function verifyA(overrides: Partial<Parameters<typeof verifyArtifactSignature>[0]> = {}) {
  return verifyArtifactSignature({
    ...binding,
    blake2b512: blake2b512(data),
    minisig,
    publicKey: formatPublicKey(sk.publicKey),
    ...overrides,
  });
}

describe('BLAKE2b', () => {
  it('matches Node for 64-byte output across block boundaries, and the RFC 7693 style vector for 32 bytes', () => {
    for (const n of [0, 1, 127, 128, 129, 256, 1000]) {
      const d = new Uint8Array(n).map((_, i) => (i * 31) & 0xff);
      expect(Buffer.from(blake2b(d, 64)).toString('hex')).toBe(createHash('blake2b512').update(d).digest('hex'));
    }
    // hashlib.blake2b(b'abc', digest_size=32)
    expect(Buffer.from(blake2b(Buffer.from('abc'), 32)).toString('hex')).toBe(
      'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319',
    );
  });
});

describe('keys', () => {
  it('round-trips public keys as a .pub file or the bare line, with minisign-style key ids', () => {
    const pub = formatPublicKey(sk.publicKey);
    // minisign prints the id with %PRIX64: upper case, no leading zeros (1 random key in 16 starts with 0).
    const printed = sk.keyid.replace(/^0+/, '').toUpperCase();
    expect(pub).toMatch(/^untrusted comment: minisign public key [1-9A-F][0-9A-F]{0,15}\nRW[A-Za-z0-9+/]{54}\n$/);
    expect(pub.startsWith(`untrusted comment: minisign public key ${printed}\n`)).toBe(true);
    expect(parsePublicKey(pub)).toEqual(sk.publicKey);
    expect(parsePublicKey(`  ${sk.publicKey.base64}\r\n`)).toEqual(sk.publicKey);
    expect(sk.keyid).toMatch(/^[0-9a-f]{16}$/);
    expect(sk.keyid).toBe(Buffer.from(sk.keyIdBytes).reverse().toString('hex'));
  });

  it('round-trips unencrypted secret keys and refuses a corrupted one', () => {
    const text = formatSecretKey(sk);
    const back = parseSecretKey(text);
    expect(back.seed).toEqual(sk.seed);
    expect(back.publicKey).toEqual(sk.publicKey);
    const lines = text.split('\n');
    const raw = Buffer.from(lines[1] ?? '', 'base64');
    raw[100] = (raw[100] as number) ^ 1; // inside the seed/public half
    expectWharfError(() => parseSecretKey(`${lines[0]}\n${raw.toString('base64')}\n`), 'E_USAGE');
    expectWharfError(() => parseSecretKey('untrusted comment: x\nnot base64!\n'), 'E_USAGE');
  });

  it('rejects malformed public keys as E_SIG_INVALID', () => {
    expectWharfError(() => parsePublicKey('RW!!'), 'E_SIG_INVALID');
    expectWharfError(() => parsePublicKey(`${sk.publicKey.base64}AA`), 'E_SIG_INVALID');
    const wrongAlg = Buffer.from(sk.publicKey.base64, 'base64');
    wrongAlg[0] = 0x58;
    expectWharfError(() => parsePublicKey(wrongAlg.toString('base64')), 'E_SIG_INVALID');
  });
});

describe('signatures', () => {
  it('parse/format round-trips and accepts CRLF line endings', () => {
    const sig = parseSignature(minisig);
    expect(sig.algorithm).toBe('ED');
    expect(sig.keyid).toBe(sk.keyid);
    expect(formatSignature(sig)).toBe(minisig);
    expect(verifyBytes(data, minisig.replace(/\n/g, '\r\n'), sk.publicKey).trustedComment).toBe(sig.trustedComment);
  });

  it('verifyArtifactSignature accepts the right artifact', () => {
    expect(verifyA().trustedComment).toBe(formatTrustedComment(binding));
    expect(verifyA({ publicKey: sk.publicKey, sha256: sha.toUpperCase() }).keyid).toBe(sk.keyid);
  });

  it('refuses tampered data with E_SIG_INVALID', () => {
    const tampered = data.slice();
    tampered[0] = (tampered[0] as number) ^ 0x80;
    expectWharfError(() => verifyA({ blake2b512: blake2b512(tampered) }), 'E_SIG_INVALID');
    expectWharfError(() => verifyBytes(tampered, minisig, sk.publicKey), 'E_SIG_INVALID');
  });

  it('refuses a signature moved to another plugin, version or digest with E_SIG_BINDING naming the difference', () => {
    expect(expectWharfError(() => verifyA({ id: 'acme/b' }), 'E_SIG_BINDING').message).toMatch(
      /id is acme\/a .* acme\/b/,
    );
    expect(expectWharfError(() => verifyA({ version: '1.0.1' }), 'E_SIG_BINDING').message).toMatch(
      /version is 1\.0\.0/,
    );
    expect(expectWharfError(() => verifyA({ sha256: '0'.repeat(64) }), 'E_SIG_BINDING').message).toMatch(/sha256/);
    const plain = signBytes(data, sk, 'timestamp:1 file:a.wasm');
    expectWharfError(() => verifyA({ minisig: plain }), 'E_SIG_BINDING');
  });

  it('refuses an edited trusted comment (global signature) with E_SIG_INVALID', () => {
    const edited = minisig.replace('id=acme/a', 'id=acme/b');
    expectWharfError(() => verifyA({ minisig: edited, id: 'acme/b' }), 'E_SIG_INVALID');
    const globalGone = minisig.split('\n');
    globalGone[3] = Buffer.alloc(64).toString('base64');
    expectWharfError(() => verifyA({ minisig: globalGone.join('\n') }), 'E_SIG_INVALID');
  });

  it('refuses an unknown key with E_SIG_INVALID naming both key ids', () => {
    const other = generateKeyPair();
    const err = expectWharfError(() => verifyA({ publicKey: other.publicKey }), 'E_SIG_INVALID');
    expect(err.message).toContain(sk.keyid.toUpperCase());
    expect(err.message).toContain(other.keyid.toUpperCase());
    // Same key id but a different key (a forged id) still fails on the signature itself.
    const forged = { ...other.publicKey, keyid: sk.keyid, keyIdBytes: sk.keyIdBytes };
    expectWharfError(() => verifyA({ publicKey: forged }), 'E_SIG_INVALID');
  });

  it('refuses malformed signature files with E_SIG_INVALID', () => {
    const [l0 = '', l1 = '', l2 = '', l3 = ''] = minisig.split('\n');
    const cases = [
      '',
      'garbage',
      [l0, l1, l2].join('\n'),
      [l0, `${l1.slice(0, -4)}!!!!`, l2, l3].join('\n'),
      [l0, l1.slice(4), l2, l3].join('\n'),
      [l0, l1, l2, `${l3}AAAA`].join('\n'),
      [l0, l1, l2, l3.replace(/[A-Za-z]/, '*')].join('\n'),
      ['comment: x', l1, l2, l3].join('\n'),
      [l0, l1, l2.replace('trusted comment: ', 'trusted: '), l3].join('\n'),
      [l0, l1, l2, l3, 'extra line'].join('\n'),
      [l0, `${Buffer.from('XX').toString('base64').slice(0, 2)}${l1.slice(2)}`, l2, l3].join('\n'),
    ];
    for (const c of cases) {
      expectWharfError(() => parseSignature(c), 'E_SIG_INVALID');
      expectWharfError(() => verifyA({ minisig: c }), 'E_SIG_INVALID');
    }
  });

  it('accepts legacy Ed only through verifyBytes', () => {
    const signature = edSign(data, sk.seed);
    const tc = formatTrustedComment(binding);
    const legacy = formatSignature({
      algorithm: 'Ed',
      keyid: sk.keyid,
      keyIdBytes: sk.keyIdBytes,
      signature,
      untrustedComment: 'legacy',
      trustedComment: tc,
      globalSignature: edSign(Buffer.concat([signature, Buffer.from(tc)]), sk.seed),
    });
    expect(verifyBytes(data, legacy, sk.publicKey).algorithm).toBe('Ed');
    expectWharfError(() => verifyPrehashed(blake2b512(data), legacy, sk.publicKey), 'E_SIG_INVALID');
    expectWharfError(() => verifyA({ minisig: legacy }), 'E_SIG_INVALID');
  });
});

describe('trusted comment binding', () => {
  it('formats and parses the wharf1 binding strictly', () => {
    const tc = formatTrustedComment({ id: 'a/b', version: '1.2.3-rc.1+build', sha256: sha.toUpperCase() });
    expect(tc).toBe(`wharf1 id=a/b version=1.2.3-rc.1+build sha256=${sha}`);
    expect(parseTrustedComment(tc)).toEqual({ id: 'a/b', version: '1.2.3-rc.1+build', sha256: sha });
    expect(parseTrustedComment(`${tc} extra=1`)).toBeUndefined();
    expect(parseTrustedComment(`wharf2 id=a version=1 sha256=${sha}`)).toBeUndefined();
    expect(parseTrustedComment(`wharf1 id=a version=1 sha256=${sha.slice(1)}`)).toBeUndefined();
    expectWharfError(() => formatTrustedComment({ id: 'a b', version: '1', sha256: sha }), 'E_USAGE');
    expectWharfError(() => formatTrustedComment({ id: 'a', version: '1', sha256: 'nothex' }), 'E_USAGE');
  });

  it('checkBinding names every field that differs', () => {
    const sig = parseSignature(minisig);
    expect(() => checkBinding(sig, binding)).not.toThrow();
    const err = expectWharfError(() => checkBinding(sig, { id: 'x', version: '9', sha256: sha }), 'E_SIG_BINDING');
    expect(err.message).toContain('id is acme/a');
    expect(err.message).toContain('version is 1.0.0');
    expect(err.message).not.toContain('sha256 is');
  });
});

describe('key ids in comments', () => {
  it('are printed like minisign: upper case, no leading zeros', async () => {
    const { printedKeyId } = await import('../src/signing/minisign-format.js');
    expect(printedKeyId('0a1b2c3d4e5f6071')).toBe('A1B2C3D4E5F6071');
    expect(printedKeyId('7bfeecaf241cef69')).toBe('7BFEECAF241CEF69');
    expect(printedKeyId('0000000000000000')).toBe('0');
  });
});

describe('the install-time check (DESIGN §3): global signature and the sha256 binding, no BLAKE2b', () => {
  const pub = formatPublicKey(sk.publicKey);
  const install = (sig: string, over: Partial<typeof binding> = {}) =>
    verifyArtifactSignature({ ...binding, ...over, minisig: sig, publicKey: pub });
  /** The author's key signed this trusted comment, but the signature over the bytes is junk. */
  const globalOnly = (tc: string) => {
    const junk = new Uint8Array(64).fill(9);
    return formatSignature({
      algorithm: 'ED',
      keyid: sk.keyid,
      keyIdBytes: sk.keyIdBytes,
      signature: junk,
      untrustedComment: 'x',
      trustedComment: tc,
      globalSignature: edSign(Buffer.concat([junk, Buffer.from(tc)]), sk.seed),
    });
  };

  it('accepts what the author vouched for: a good signature, a legacy Ed one, one whose data signature is junk', () => {
    expect(install(minisig).trustedComment).toBe(formatTrustedComment(binding));
    const signature = edSign(data, sk.seed);
    const tc = formatTrustedComment(binding);
    const legacy = formatSignature({
      ...parseSignature(minisig),
      algorithm: 'Ed',
      signature,
      globalSignature: edSign(Buffer.concat([signature, Buffer.from(tc)]), sk.seed),
    });
    expect(install(legacy).algorithm).toBe('Ed');
    const junk = globalOnly(tc);
    expect(install(junk).trustedComment).toBe(tc);
    // …which only the full check (verify --full, the review bot) refuses.
    expectWharfError(
      () => verifyReleaseSignature({ ...binding, data, minisig: junk, publicKey: pub }),
      'E_SIG_INVALID',
    );
    expect(verifyReleaseSignature({ ...binding, data, minisig: legacy, publicKey: pub }).algorithm).toBe('Ed');
  });

  it('refuses another key, an edited comment, and a comment naming other bytes, id or version', () => {
    const other = generateKeyPair();
    expectWharfError(() => install(signBytes(data, other, formatTrustedComment(binding))), 'E_SIG_INVALID');
    const edited = minisig.replace('trusted comment: wharf1 id=acme/a', 'trusted comment: wharf1 id=acme/b');
    expectWharfError(() => install(edited), 'E_SIG_INVALID');
    expectWharfError(() => install(minisig, { sha256: 'cd'.repeat(32) }), 'E_SIG_BINDING');
    expectWharfError(
      () => install(globalOnly(formatTrustedComment({ ...binding, sha256: 'ab'.repeat(32) }))),
      'E_SIG_BINDING',
    );
    expectWharfError(() => install(minisig, { version: '1.0.1' }), 'E_SIG_BINDING');
    expectWharfError(() => install(globalOnly('not a binding')), 'E_SIG_BINDING');
  });
});
