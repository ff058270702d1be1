// Adapter over client/src/signing (minisign), exported from '@wharf/client'. Prefers the real functions; while the
// client package is mid-build (its index pulls in the whole client) a small local verifier of the same behaviour
// keeps tools/ working. TODO(contract): once '@wharf/client' builds cleanly, replace this file with
// `export { parseSignature, parsePublicKey, verifyBytes, checkBinding } from '@wharf/client'` plus the
// string-taking wrappers below, and delete the fallback.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { WharfError } from '@wharf/schemas';

export interface ParsedSignature {
  keyid: string; // 16 hex chars as minisign prints it
  trustedComment: string;
}

export interface ParsedPublicKey {
  keyid: string; // 16 lower-case hex digits, as client/src/signing prints it
  base64: string; // the "RW..." line
}

export interface Binding {
  id: string;
  version: string;
  sha256: string;
}

// The shapes of client/src/signing's functions (they throw WharfError E_SIG_INVALID / E_SIG_BINDING).
interface SigningApi {
  parseSignature(text: string): ParsedSignature;
  parsePublicKey(text: string): ParsedPublicKey;
  verifyBytes(data: Uint8Array, sigText: string, pk: ParsedPublicKey): unknown;
  checkBinding(sig: ParsedSignature, binding: Binding): void;
}

// Loaded on first use: '@wharf/client' pulls in Extism (and its WASI warning), which only `add` needs. A
// half-built client degrades to the fallback instead of taking the CLI down with it.
let loading: Promise<Partial<SigningApi>> | undefined;
function loadApi(): Promise<Partial<SigningApi>> {
  loading ??= import('@wharf/client').then(
    (m) => m as unknown as Partial<SigningApi>,
    () => ({}),
  );
  return loading;
}

function contentLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

// minisign prints key ids as the little-endian 8-byte key number, i.e. the bytes reversed; lower-cased like the client.
function keyidOf(keynum: Buffer): string {
  return Buffer.from(keynum).reverse().toString('hex');
}

interface RawSig extends ParsedSignature {
  alg: string;
  keynum: Buffer;
  sig: Buffer;
  globalSig: Buffer;
}

function rawSignature(text: string): RawSig {
  const lines = contentLines(text);
  const sigLine = lines.find((l) => !l.startsWith('untrusted comment:') && !l.startsWith('trusted comment:'));
  const tcIndex = lines.findIndex((l) => l.startsWith('trusted comment:'));
  const bin = sigLine ? Buffer.from(sigLine, 'base64') : Buffer.alloc(0);
  const globalLine = tcIndex >= 0 ? lines[tcIndex + 1] : undefined;
  if (bin.length !== 74 || tcIndex < 0 || !globalLine)
    throw new WharfError('E_SIG_INVALID', 'malformed minisign signature');
  const rawTc = lines[tcIndex] ?? '';
  return {
    alg: bin.subarray(0, 2).toString('latin1'),
    keynum: bin.subarray(2, 10),
    sig: bin.subarray(10, 74),
    globalSig: Buffer.from(globalLine, 'base64'),
    keyid: keyidOf(bin.subarray(2, 10)),
    trustedComment: rawTc.slice('trusted comment:'.length).trim(),
  };
}

function rawPublicKey(text: string): { keynum: Buffer; pk: Buffer; line: string } {
  const lines = contentLines(text).filter((l) => !l.startsWith('untrusted comment:'));
  const line = lines[0] ?? '';
  const bin = Buffer.from(line, 'base64');
  if (bin.length !== 42 || bin.subarray(0, 2).toString('latin1') !== 'Ed') {
    throw new WharfError('E_SIG_INVALID', 'malformed minisign public key');
  }
  return { keynum: bin.subarray(2, 10), pk: bin.subarray(10, 42), line };
}

function ed25519(pk: Buffer) {
  // SPKI DER prefix for a raw 32-byte Ed25519 key.
  return createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pk]),
    format: 'der',
    type: 'spki',
  });
}

function fallbackVerify(data: Uint8Array, sigText: string, pkText: string): void {
  const s = rawSignature(sigText);
  const p = rawPublicKey(pkText);
  if (!s.keynum.equals(p.keynum))
    throw new WharfError('E_SIG_INVALID', `signature key ${s.keyid} is not ${keyidOf(p.keynum)}`);
  const key = ed25519(p.pk);
  // "ED" = prehashed (BLAKE2b-512 of the file), minisign's default since 0.10; "Ed" = legacy, over the raw bytes.
  const message = s.alg === 'ED' ? createHash('blake2b512').update(data).digest() : Buffer.from(data);
  if (s.alg !== 'ED' && s.alg !== 'Ed')
    throw new WharfError('E_SIG_INVALID', `unsupported signature algorithm ${s.alg}`);
  if (!verify(null, message, key, s.sig)) throw new WharfError('E_SIG_INVALID', 'signature does not match the file');
  const global = Buffer.concat([s.sig, Buffer.from(s.trustedComment, 'utf8')]);
  if (!verify(null, global, key, s.globalSig))
    throw new WharfError('E_SIG_INVALID', 'trusted comment signature is invalid');
}

function fallbackCheckBinding(sig: ParsedSignature, b: Binding): void {
  const fields = new Map<string, string>();
  const [tag, ...rest] = sig.trustedComment.split(/\s+/);
  for (const kv of rest) {
    const i = kv.indexOf('=');
    if (i > 0) fields.set(kv.slice(0, i), kv.slice(i + 1));
  }
  if (
    tag !== 'wharf1' ||
    fields.get('id') !== b.id ||
    fields.get('version') !== b.version ||
    fields.get('sha256') !== b.sha256
  ) {
    throw new WharfError(
      'E_SIG_BINDING',
      `trusted comment ${JSON.stringify(sig.trustedComment)} does not bind wharf1 id=${b.id} version=${b.version} sha256=${b.sha256}`,
    );
  }
}

export async function parseSignature(text: string): Promise<ParsedSignature> {
  const api = await loadApi();
  if (api.parseSignature) return api.parseSignature(text);
  const { keyid, trustedComment } = rawSignature(text);
  return { keyid, trustedComment };
}

/** Accepts a .pub file's text or just its base64 line. */
export async function parsePublicKey(text: string): Promise<ParsedPublicKey> {
  const api = await loadApi();
  if (api.parsePublicKey) return api.parsePublicKey(text);
  const { keynum, line } = rawPublicKey(text);
  return { keyid: keyidOf(keynum), base64: line };
}

/** Throws WharfError E_SIG_INVALID unless `sigText` is a valid minisign signature of `data` by `publicKey`. */
export async function verifyBytes(data: Uint8Array, sigText: string, publicKey: string): Promise<void> {
  const api = await loadApi();
  if (api.verifyBytes) api.verifyBytes(data, sigText, await parsePublicKey(publicKey));
  else fallbackVerify(data, sigText, publicKey);
}

/** Throws WharfError E_SIG_BINDING unless the trusted comment is `wharf1 id=… version=… sha256=…` for `b`. */
export async function checkBinding(sigText: string, b: Binding): Promise<void> {
  const api = await loadApi();
  const sig = await parseSignature(sigText);
  if (api.checkBinding) api.checkBinding(sig, b);
  else fallbackCheckBinding(sig, b);
}
