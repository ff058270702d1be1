// The minisign checks `wharf-admin add` needs, from the client's signing module. The `@wharf/client/signing`
// subpath keeps Extism (and its WASI warning) out of tools' start-up.
import {
  checkBinding as bindingOf,
  parsePublicKey as parsePk,
  parseSignature as parseSig,
  verifyBytes as verify,
} from '@wharf/client/signing';

export interface Binding {
  id: string;
  version: string;
  sha256: string;
}

export function parseSignature(text: string): { keyid: string; trustedComment: string } {
  const s = parseSig(text);
  return { keyid: s.keyid, trustedComment: s.trustedComment };
}

/** Accepts a .pub file's text or just its base64 line. */
export function parsePublicKey(text: string): { keyid: string; base64: string } {
  const k = parsePk(text);
  return { keyid: k.keyid, base64: k.base64 };
}

/** Throws WharfError E_SIG_INVALID unless `sigText` is a valid minisign signature of `data` by `publicKey`. */
export function verifyBytes(data: Uint8Array, sigText: string, publicKey: string): void {
  verify(data, sigText, parsePk(publicKey));
}

/** Throws WharfError E_SIG_BINDING unless the trusted comment is `wharf1 id=… version=… sha256=…` for `b`. */
export function checkBinding(sigText: string, b: Binding): void {
  bindingOf(parseSig(sigText), b);
}
