import { WharfError } from '@wharf/schemas';
import { blake2b512 } from './blake2b.js';
import { edVerify } from './ed25519.js';
import { type PublicKey, parseSignature, type Signature } from './minisign-format.js';

function checkKeyId(sig: Signature, pk: PublicKey): void {
  if (!Buffer.from(sig.keyIdBytes).equals(pk.keyIdBytes)) {
    throw new WharfError(
      'E_SIG_INVALID',
      `the signature was made by key ${sig.keyid.toUpperCase()}, but the trusted key is ${pk.keyid.toUpperCase()}`,
      { signatureKeyid: sig.keyid, trustedKeyid: pk.keyid },
    );
  }
}

function checkGlobal(sig: Signature, pk: PublicKey): void {
  const signedComment = Buffer.concat([sig.signature, Buffer.from(sig.trustedComment, 'utf8')]);
  if (!edVerify(signedComment, sig.globalSignature, pk.key)) {
    throw new WharfError(
      'E_SIG_INVALID',
      'the trusted comment of the signature has been altered (comment signature invalid)',
      { keyid: pk.keyid },
    );
  }
}

/** minisign -V's checks once the signed message is known: key id, signature, then the global signature. */
function verifyParsed(sig: Signature, message: Uint8Array, pk: PublicKey): Signature {
  checkKeyId(sig, pk);
  if (!edVerify(message, sig.signature, pk.key)) {
    throw new WharfError('E_SIG_INVALID', `the signature by key ${pk.keyid.toUpperCase()} does not match the data`, {
      keyid: pk.keyid,
    });
  }
  checkGlobal(sig, pk);
  return sig;
}

/**
 * The key id and the global signature only, which covers signature || trusted comment: the author's key vouches
 * for the trusted comment, and so for the sha256 it binds. Install checks that sha256 against the bytes it hashed
 * anyway, which is as strong as minisign -V and saves the BLAKE2b pass (DESIGN §3). Both `ED` and legacy `Ed`.
 */
export function verifyTrustedComment(sigText: string, pk: PublicKey): Signature {
  const sig = parseSignature(sigText);
  checkKeyId(sig, pk);
  checkGlobal(sig, pk);
  return sig;
}

/**
 * Verify a prehashed (`ED`) signature against a BLAKE2b-512 digest. Legacy `Ed` signatures sign the
 * raw bytes, so they cannot be checked from a digest: use verifyBytes for those.
 */
export function verifyPrehashed(digest: Uint8Array, sigText: string, pk: PublicKey): Signature {
  const sig = parseSignature(sigText);
  if (sig.algorithm !== 'ED') {
    throw new WharfError(
      'E_SIG_INVALID',
      'legacy non-prehashed (Ed) minisign signatures can only be verified against the full file',
    );
  }
  if (digest.length !== 64) throw new RangeError('verifyPrehashed needs a 64-byte BLAKE2b-512 digest');
  return verifyParsed(sig, digest, pk);
}

/** Verify against the whole data, exactly as `minisign -V`; accepts both prehashed `ED` and legacy `Ed` signatures. */
export function verifyBytes(data: Uint8Array, sigText: string, pk: PublicKey): Signature {
  const sig = parseSignature(sigText);
  return verifyParsed(sig, sig.algorithm === 'ED' ? blake2b512(data) : data, pk);
}
