import { type PublicKey, parsePublicKey, type Signature } from './minisign-format.js';
import { verifyPrehashed } from './minisign-verify.js';
import { checkBinding } from './trusted-comment.js';

/**
 * Everything an installer needs for an artifact it hashed while streaming: the signature must be by
 * the pinned key (E_SIG_INVALID) and bound to this id, version and sha256 (E_SIG_BINDING).
 */
export function verifyArtifactSignature(args: {
  blake2b512: Uint8Array;
  sha256: string;
  minisig: string;
  publicKey: string | PublicKey;
  id: string;
  version: string;
}): Signature {
  const pk = typeof args.publicKey === 'string' ? parsePublicKey(args.publicKey) : args.publicKey;
  const sig = verifyPrehashed(args.blake2b512, args.minisig, pk);
  checkBinding(sig, { id: args.id, version: args.version, sha256: args.sha256 });
  return sig;
}
