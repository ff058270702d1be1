import { blake2b512 } from './blake2b.js';
import { edSign } from './ed25519.js';
import { formatSignature, type SecretKey } from './minisign-format.js';

const DEFAULT_UNTRUSTED = 'signature from wharf secret key';

/**
 * Sign a BLAKE2b-512 digest as a prehashed (`ED`) minisign signature, so large artifacts can be
 * hashed while streaming. The global signature covers signature || trusted comment, which is what
 * makes the trusted comment (Wharf's id/version/sha256 binding) tamper-evident.
 */
export function signPrehashed(
  digest: Uint8Array,
  sk: SecretKey,
  trustedComment: string,
  untrustedComment?: string,
): string {
  if (digest.length !== 64) throw new RangeError('signPrehashed needs a 64-byte BLAKE2b-512 digest');
  const signature = edSign(digest, sk.seed);
  const tc = Buffer.from(trustedComment, 'utf8');
  const globalSignature = edSign(Buffer.concat([signature, tc]), sk.seed);
  return formatSignature({
    algorithm: 'ED',
    keyid: sk.keyid,
    keyIdBytes: sk.keyIdBytes,
    signature,
    untrustedComment: untrustedComment ?? DEFAULT_UNTRUSTED,
    trustedComment,
    globalSignature,
  });
}

export function signBytes(data: Uint8Array, sk: SecretKey, trustedComment: string, untrustedComment?: string): string {
  return signPrehashed(blake2b512(data), sk, trustedComment, untrustedComment);
}
