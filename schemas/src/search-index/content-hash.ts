// sha256 of an index file's UTF-8 bytes. The build and the update are synchronous (the site build and the
// publisher call them in loops), and WebCrypto's digest is async only, so they use @noble/hashes; a query
// verifies what it loads with crypto.subtle where the platform has it (Node 20, browsers in a secure context)
// and falls back to the same library elsewhere (a plain-http page has no crypto.subtle).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const encoder = new TextEncoder();

/** Text as its UTF-8 bytes; bytes as they are. */
const utf8Bytes = (data: string | Uint8Array): Uint8Array => (typeof data === 'string' ? encoder.encode(data) : data);

export function sha256HexSync(data: string | Uint8Array): string {
  return bytesToHex(sha256(utf8Bytes(data)));
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return sha256HexSync(data);
  const digest = new Uint8Array(await subtle.digest('SHA-256', utf8Bytes(data) as Uint8Array<ArrayBuffer>));
  return bytesToHex(digest);
}
