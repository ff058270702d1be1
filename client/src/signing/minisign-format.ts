import { scryptSync } from 'node:crypto';
import { WharfError } from '@wharf/schemas';
import { blake2b } from './blake2b.js';
import { publicFromSeed } from './ed25519.js';

export interface PublicKey {
  /** 16 lowercase hex digits: the 8 key-id bytes read as a little-endian u64, as minisign prints it. */
  keyid: string;
  keyIdBytes: Uint8Array;
  key: Uint8Array;
  /** The "RW..." base64 line. */
  base64: string;
}

export interface SecretKey {
  keyid: string;
  keyIdBytes: Uint8Array;
  seed: Uint8Array;
  publicKey: PublicKey;
}

export interface Signature {
  /** 'ED' = prehashed with BLAKE2b-512 (what Wharf uses); 'Ed' = legacy, signs the raw bytes. */
  algorithm: 'ED' | 'Ed';
  keyid: string;
  keyIdBytes: Uint8Array;
  signature: Uint8Array;
  untrustedComment: string;
  trustedComment: string;
  globalSignature: Uint8Array;
}

const UNTRUSTED_PREFIX = 'untrusted comment: ';
const TRUSTED_PREFIX = 'trusted comment: ';
const ALG_ED = [0x45, 0x64] as const; // "Ed"
const KDF_NONE = [0x00, 0x00] as const;
const KDF_SCRYPT = [0x53, 0x63] as const; // "Sc"
const CHK_B2 = [0x42, 0x32] as const; // "B2"
const PUBLIC_KEY_LEN = 2 + 8 + 32;
const SIGNATURE_LEN = 2 + 8 + 64;
// sig_alg(2) kdf_alg(2) chk_alg(2) salt(32) opslimit(8) memlimit(8) keyid(8) sk(64) chk(32)
const SECRET_KEY_LEN = 6 + 32 + 16 + 8 + 64 + 32;
const KEYNUM_OFFSET = 6 + 32 + 16;
// minisign keeps comments to one line of at most this many bytes (COMMENTMAXBYTES / TRUSTEDCOMMENTMAXBYTES).
const MAX_COMMENT_BYTES = 1024;
const MAX_TRUSTED_COMMENT_BYTES = 8192;
// crypto_pwhash_scryptsalsa208sha256 MEMLIMIT_SENSITIVE / OPSLIMIT_SENSITIVE as scrypt's 128·N·r bytes and N·r·p.
const SCRYPT_MAX_MEMORY = 1n << 30n;
const SCRYPT_MAX_WORK = (1n << 20n) * 8n;

/** minisign prints key ids as le64_load(keyid) in hex; we keep the same digits, lowercased. */
export function keyIdToHex(keyIdBytes: Uint8Array): string {
  return Buffer.from(keyIdBytes).reverse().toString('hex');
}

/**
 * Decode base64 as libsodium's ORIGINAL variant would, but refuse anything non-canonical:
 * Node's decoder silently skips junk, which would let two different texts mean one key.
 */
function decodeBase64(text: string, expectedLen: number): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== expectedLen || bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes);
}

// Plain Uint8Array copies: Buffer#slice would return a view into a shared pool, and Buffers compare unequal to Uint8Arrays.
const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);

const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean => prefix.every((b, i) => bytes[i] === b);

/** Split into lines, tolerating CRLF files (minisign trims trailing \r\n too). */
function lines(text: string): string[] {
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function checkCommentLine(comment: string, what: string, max: number, code: 'E_SIG_INVALID' | 'E_USAGE'): void {
  // Control characters would let a comment forge extra lines or mislead a terminal. Tab is allowed: minisign's
  // own default trusted comment is "timestamp:<n>\tfile:<name>", which must reach the binding check to be named.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(comment))
    throw new WharfError(code, `the ${what} contains control characters`);
  if (Buffer.byteLength(comment, 'utf8') >= max) throw new WharfError(code, `the ${what} is too long`);
}

function publicKeyFromBytes(keyIdBytes: Uint8Array, key: Uint8Array): PublicKey {
  const raw = new Uint8Array(PUBLIC_KEY_LEN);
  raw.set(ALG_ED, 0);
  raw.set(keyIdBytes, 2);
  raw.set(key, 10);
  return {
    keyid: keyIdToHex(keyIdBytes),
    keyIdBytes: copy(keyIdBytes),
    key: copy(key),
    base64: Buffer.from(raw).toString('base64'),
  };
}

/** Build a SecretKey from its parts, deriving the public key from the seed. */
export function secretKeyFromSeed(keyIdBytes: Uint8Array, seed: Uint8Array): SecretKey {
  if (keyIdBytes.length !== 8 || seed.length !== 32) throw new RangeError('key id must be 8 bytes and seed 32 bytes');
  const publicKey = publicKeyFromBytes(keyIdBytes, publicFromSeed(seed));
  return { keyid: publicKey.keyid, keyIdBytes: copy(keyIdBytes), seed: copy(seed), publicKey };
}

/** Accepts a .pub file's text or the bare base64 line. Malformed keys are E_SIG_INVALID: nothing can verify against them. */
export function parsePublicKey(text: string): PublicKey {
  const content = lines(text.trim()).map((l) => l.trim());
  let line = content[0] ?? '';
  if (line.startsWith('untrusted comment:')) line = content[1] ?? '';
  const raw = decodeBase64(line, PUBLIC_KEY_LEN);
  if (!raw) throw new WharfError('E_SIG_INVALID', 'the minisign public key is not valid base64 of the expected length');
  if (!startsWith(raw, ALG_ED)) throw new WharfError('E_SIG_INVALID', 'the minisign public key is not an Ed25519 key');
  return publicKeyFromBytes(raw.subarray(2, 10), raw.subarray(10));
}

/** Full .pub file text, byte-identical to what `minisign -G` writes. */
export function formatPublicKey(pk: PublicKey): string {
  return `${UNTRUSTED_PREFIX}minisign public key ${printedKeyId(pk.keyid)}\n${pk.base64}\n`;
}

function scryptStream(password: string, salt: Uint8Array, opslimit: bigint, memlimit: bigint, len: number): Uint8Array {
  // libsodium's crypto_pwhash_scryptsalsa208sha256 turns (opslimit, memlimit) into (N, r, p) this way (pickparams).
  const ops = opslimit < 32768n ? 32768n : opslimit;
  const r = 8n;
  let logN = 1n;
  let p = 1n;
  if (ops < memlimit / 32n) {
    const maxN = ops / (r * 4n);
    while (logN < 63n && 1n << logN <= maxN / 2n) logN++;
  } else {
    const maxN = memlimit / (r * 128n);
    while (logN < 63n && 1n << logN <= maxN / 2n) logN++;
    let maxrp = ops / 4n / (1n << logN);
    if (maxrp > 0x3fffffffn) maxrp = 0x3fffffffn;
    p = maxrp / r;
  }
  const N = 1n << logN;
  // The file names its own cost. minisign writes libsodium's "sensitive" limits (N=2^20, r=8, p=1: 1 GiB, a few
  // seconds); anything costlier did not come from minisign and would only exhaust memory or time (found by fuzzing:
  // 2^40 asked OpenSSL for a terabyte and surfaced as a raw "malloc failure").
  if (logN > 30n || p < 1n || 128n * N * r > SCRYPT_MAX_MEMORY || N * r * p > SCRYPT_MAX_WORK)
    throw new WharfError('E_USAGE', 'the minisign secret key has unsupported scrypt parameters');
  const maxmem = Number(128n * N * r + 128n * r * p + 64n * 1024n * 1024n);
  try {
    return new Uint8Array(
      scryptSync(Buffer.from(password, 'utf8'), salt, len, { N: Number(N), r: Number(r), p: Number(p), maxmem }),
    );
  } catch (e) {
    throw new WharfError('E_USAGE', `cannot derive the minisign secret key's password key: ${(e as Error).message}`);
  }
}

function secretKeyChecksum(raw: Uint8Array): Uint8Array {
  // blake2b-256(sig_alg || keyid || sk), as minisign's seckey_chk.
  return blake2b(Buffer.concat([raw.subarray(0, 2), raw.subarray(KEYNUM_OFFSET, KEYNUM_OFFSET + 72)]), 32);
}

/**
 * Reads keys written by `minisign -G -W` (kdf "\0\0") and, given the password, encrypted ones (kdf "Sc").
 * Secret keys are the user's own files, so problems are E_USAGE.
 */
export function parseSecretKey(text: string, password?: string): SecretKey {
  const content = lines(text.trim()).map((l) => l.trim());
  let line = content[0] ?? '';
  if (line.startsWith('untrusted comment:')) line = content[1] ?? '';
  const raw = decodeBase64(line, SECRET_KEY_LEN);
  if (!raw) throw new WharfError('E_USAGE', 'the minisign secret key is not valid base64 of the expected length');
  if (!startsWith(raw, ALG_ED)) throw new WharfError('E_USAGE', 'the minisign secret key is not an Ed25519 key');
  if (!startsWith(raw.subarray(4), CHK_B2))
    throw new WharfError('E_USAGE', 'the minisign secret key uses an unknown checksum');
  const kdf = raw.subarray(2, 4);
  const keynum = raw.subarray(KEYNUM_OFFSET);
  if (startsWith(kdf, KDF_SCRYPT)) {
    if (password === undefined) {
      throw new WharfError(
        'E_USAGE',
        'this minisign secret key is encrypted; give its password, or create an unencrypted one with `wharf keygen` or `minisign -G -W`',
      );
    }
    const view = new DataView(raw.buffer, raw.byteOffset);
    const stream = scryptStream(
      password,
      raw.subarray(6, 38),
      view.getBigUint64(38, true),
      view.getBigUint64(46, true),
      keynum.length,
    );
    for (let i = 0; i < keynum.length; i++) keynum[i] = (keynum[i] as number) ^ (stream[i] as number);
    if (!Buffer.from(secretKeyChecksum(raw)).equals(keynum.subarray(72))) {
      throw new WharfError('E_USAGE', 'wrong password for this minisign secret key');
    }
  } else if (startsWith(kdf, KDF_NONE)) {
    // minisign 0.11 `-G -W` writes an all-zero checksum for unencrypted keys, so only a non-zero one is checked.
    const chk = keynum.subarray(72);
    if (chk.some((b) => b !== 0) && !Buffer.from(secretKeyChecksum(raw)).equals(chk)) {
      throw new WharfError('E_USAGE', 'the minisign secret key checksum does not match; the file is corrupt');
    }
  } else {
    throw new WharfError('E_USAGE', 'the minisign secret key uses an unknown key derivation function');
  }
  const sk = secretKeyFromSeed(keynum.subarray(0, 8), keynum.subarray(8, 40));
  // The stored public half must be the one the seed derives, or signatures would not verify under the .pub.
  if (!Buffer.from(sk.publicKey.key).equals(keynum.subarray(40, 72))) {
    throw new WharfError(
      'E_USAGE',
      'the minisign secret key is inconsistent (its public half does not match its seed)',
    );
  }
  return sk;
}

/** Unencrypted (kdf "\0\0") secret key file that `minisign -S` reads without prompting for a password. */
export function formatSecretKey(sk: SecretKey): string {
  const raw = new Uint8Array(SECRET_KEY_LEN);
  raw.set(ALG_ED, 0);
  raw.set(KDF_NONE, 2);
  raw.set(CHK_B2, 4);
  // salt, opslimit and memlimit stay zero: there is no KDF.
  raw.set(sk.keyIdBytes, KEYNUM_OFFSET);
  raw.set(sk.seed, KEYNUM_OFFSET + 8);
  raw.set(sk.publicKey.key, KEYNUM_OFFSET + 40);
  raw.set(secretKeyChecksum(raw), KEYNUM_OFFSET + 72);
  return `${UNTRUSTED_PREFIX}minisign secret key ${printedKeyId(sk.keyid)}\n${Buffer.from(raw).toString('base64')}\n`;
}

/** Parse a .minisig file. Anything malformed is E_SIG_INVALID. */
export function parseSignature(text: string): Signature {
  const ls = lines(text);
  // Exactly four lines; only empty lines (the final newline) may follow.
  if (ls.length < 4 || ls.slice(4).some((l) => l !== '')) {
    throw new WharfError('E_SIG_INVALID', 'the minisign signature does not have the four expected lines');
  }
  const [untrusted = '', sigLine = '', trusted = '', globalLine = ''] = ls;
  if (!untrusted.startsWith(UNTRUSTED_PREFIX)) {
    throw new WharfError(
      'E_SIG_INVALID',
      `the minisign signature's first line should start with "${UNTRUSTED_PREFIX}"`,
    );
  }
  if (!trusted.startsWith(TRUSTED_PREFIX)) {
    throw new WharfError('E_SIG_INVALID', `the minisign signature's third line should start with "${TRUSTED_PREFIX}"`);
  }
  const untrustedComment = untrusted.slice(UNTRUSTED_PREFIX.length);
  const trustedComment = trusted.slice(TRUSTED_PREFIX.length);
  checkCommentLine(untrustedComment, 'untrusted comment', MAX_COMMENT_BYTES, 'E_SIG_INVALID');
  checkCommentLine(trustedComment, 'trusted comment', MAX_TRUSTED_COMMENT_BYTES, 'E_SIG_INVALID');
  const sig = decodeBase64(sigLine.trim(), SIGNATURE_LEN);
  const global = decodeBase64(globalLine.trim(), 64);
  if (!sig || !global)
    throw new WharfError('E_SIG_INVALID', 'the minisign signature is not valid base64 of the expected length');
  const alg = Buffer.from(sig.subarray(0, 2)).toString('latin1');
  if (alg !== 'ED' && alg !== 'Ed')
    throw new WharfError('E_SIG_INVALID', `unsupported minisign signature algorithm "${alg}"`);
  const keyIdBytes = copy(sig.subarray(2, 10));
  return {
    algorithm: alg,
    keyid: keyIdToHex(keyIdBytes),
    keyIdBytes,
    signature: copy(sig.subarray(10)),
    untrustedComment,
    trustedComment,
    globalSignature: global,
  };
}

/** Serialize a signature back to .minisig text. */
export function formatSignature(sig: Signature): string {
  checkCommentLine(sig.untrustedComment, 'untrusted comment', MAX_COMMENT_BYTES, 'E_USAGE');
  checkCommentLine(sig.trustedComment, 'trusted comment', MAX_TRUSTED_COMMENT_BYTES, 'E_USAGE');
  const raw = new Uint8Array(SIGNATURE_LEN);
  raw.set(Buffer.from(sig.algorithm, 'latin1'), 0);
  raw.set(sig.keyIdBytes, 2);
  raw.set(sig.signature, 10);
  return (
    `${UNTRUSTED_PREFIX}${sig.untrustedComment}\n${Buffer.from(raw).toString('base64')}\n` +
    `${TRUSTED_PREFIX}${sig.trustedComment}\n${Buffer.from(sig.globalSignature).toString('base64')}\n`
  );
}

/** The key id as minisign prints it in comments: printf("%" PRIX64), upper case with no leading zeros. */
export function printedKeyId(keyid: string): string {
  return keyid.replace(/^0+(?=.)/, '').toUpperCase();
}
