import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { WharfError } from '@wharf/schemas';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { createBlake2b512 } from './blake2b.js';
import { parseSecretKey } from './minisign-format.js';
import { signPrehashed } from './minisign-sign.js';
import { formatTrustedComment } from './trusted-comment.js';

/** SHA-256 (hex) and BLAKE2b-512 of a file in one streaming pass, so large artifacts never sit in memory. */
export function hashFile(path: string): { sha256: string; blake2b512: Uint8Array } {
  const sha = createHash('sha256');
  const b2 = createBlake2b512();
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 16);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) {
      const chunk = buf.subarray(0, n);
      sha.update(chunk);
      b2.update(chunk);
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: sha.digest('hex'), blake2b512: b2.digest() };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && what === 'secret key')
      throw new WharfError(
        'E_IO',
        `there is no secret key at ${path}: run \`wharf keygen\` first (or pass --key <file> for a key you have).`,
        { path },
      );
    throw new WharfError('E_IO', `could not read the ${what} ${path}: ${(e as Error).message}`);
  }
}

/** The secret key file's text, read once so the caller can tell whether it needs a password. */
export function readSecretKeyText(path: string): string {
  return readText(path, 'secret key');
}

/**
 * Sign an artifact with the Wharf binding and write `<wasm>.minisig` (or `out`) atomically. `password` unlocks a
 * key made by `minisign -G` without -W.
 */
export function signFile(
  wasmPath: string,
  opts: { id: string; version: string; secretKeyPath: string; out?: string; password?: string },
): { sigPath: string; keyid: string; sha256: string } {
  const sk = parseSecretKey(readText(opts.secretKeyPath, 'secret key'), opts.password);
  let hashes: ReturnType<typeof hashFile>;
  try {
    hashes = hashFile(wasmPath);
  } catch (e) {
    throw new WharfError('E_IO', `could not read ${wasmPath}: ${(e as Error).message}`);
  }
  const tc = formatTrustedComment({ id: opts.id, version: opts.version, sha256: hashes.sha256 });
  const text = signPrehashed(hashes.blake2b512, sk, tc);
  const sigPath = opts.out ?? `${wasmPath}.minisig`;
  writeFileAtomic(sigPath, text);
  return { sigPath, keyid: sk.keyid, sha256: hashes.sha256 };
}
