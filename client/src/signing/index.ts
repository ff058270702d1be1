export { blake2b512, createBlake2b512 } from './blake2b.js';
export { generateKeyPair, writeKeyPair } from './keygen.js';
export {
  formatPublicKey,
  formatSecretKey,
  formatSignature,
  keyIdToHex,
  type PublicKey,
  parsePublicKey,
  parseSecretKey,
  parseSignature,
  type SecretKey,
  type Signature,
} from './minisign-format.js';
export { signBytes, signPrehashed } from './minisign-sign.js';
export { verifyBytes, verifyPrehashed, verifyTrustedComment } from './minisign-verify.js';
export { hashFile, signFile } from './sign-file.js';
export { checkBinding, formatTrustedComment, parseTrustedComment, type SignatureBinding } from './trusted-comment.js';
export { verifyArtifactSignature } from './verify-artifact.js';
export { verifyReleaseSignature } from './verify-release.js';
