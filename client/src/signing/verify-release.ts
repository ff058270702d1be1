import { type PublicKey, parsePublicKey, type Signature } from './minisign-format.js';
import { verifyBytes } from './minisign-verify.js';
import { checkBinding } from './trusted-comment.js';

/**
 * The full check DESIGN §3 asks of the review bot, `wharf-admin add` and `plugin submit`: exactly what
 * `minisign -V` accepts (prehashed `ED` and legacy `Ed` alike, over the whole file), then the Wharf binding.
 * One function, so a signature one of them accepts the others accept too. E_SIG_INVALID for the signature,
 * E_SIG_BINDING for a valid signature whose trusted comment names another artifact (or none).
 */
export function verifyReleaseSignature(args: {
  data: Uint8Array;
  sha256: string;
  minisig: string;
  publicKey: string | PublicKey;
  id: string;
  version: string;
}): Signature {
  const pk = typeof args.publicKey === 'string' ? parsePublicKey(args.publicKey) : args.publicKey;
  const sig = verifyBytes(args.data, args.minisig, pk);
  checkBinding(sig, { id: args.id, version: args.version, sha256: args.sha256 });
  return sig;
}
