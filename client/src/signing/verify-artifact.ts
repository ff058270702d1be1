import { type PublicKey, parsePublicKey, type Signature } from './minisign-format.js';
import { verifyPrehashed, verifyTrustedComment } from './minisign-verify.js';
import { checkBinding } from './trusted-comment.js';

/**
 * The install-time author check (DESIGN §3): the signature must be by the pinned key with an intact global
 * signature (E_SIG_INVALID) and its trusted comment must bind this id, version and sha256 (E_SIG_BINDING). The
 * caller hashed the bytes with sha256 for the index pin; no BLAKE2b pass is made. Given a `blake2b512` digest
 * (an author checking their own release), the `ED` signature over it is checked too.
 */
export function verifyArtifactSignature(args: {
  sha256: string;
  minisig: string;
  publicKey: string | PublicKey;
  id: string;
  version: string;
  blake2b512?: Uint8Array;
}): Signature {
  const pk = typeof args.publicKey === 'string' ? parsePublicKey(args.publicKey) : args.publicKey;
  const sig = args.blake2b512
    ? verifyPrehashed(args.blake2b512, args.minisig, pk)
    : verifyTrustedComment(args.minisig, pk);
  checkBinding(sig, { id: args.id, version: args.version, sha256: args.sha256 });
  return sig;
}
