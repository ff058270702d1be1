// sha256 of an index file's UTF-8 bytes. The build and the update are synchronous (the site build and the
// publisher call them in loops), and WebCrypto's digest is async only, so they use @noble/hashes; a query
// verifies what it loads with crypto.subtle where the platform has it (Node 20, browsers in a secure context)
// and falls back to the same library elsewhere (a plain-http page has no crypto.subtle).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const encoder = new TextEncoder();

export function sha256HexSync(text: string): string {
  return bytesToHex(sha256(encoder.encode(text)));
}

export async function sha256Hex(text: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return sha256HexSync(text);
  const digest = new Uint8Array(await subtle.digest('SHA-256', encoder.encode(text)));
  return bytesToHex(digest);
}
