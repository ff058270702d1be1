import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WharfError } from '@wharf/schemas';
import { writeTemp } from '../fs/atomic-write.js';
import { formatPublicKey, formatSecretKey, type SecretKey, secretKeyFromSeed } from './minisign-format.js';

/** A fresh minisign key pair: random 8-byte key id (as minisign does) and random 32-byte seed. */
export function generateKeyPair(): SecretKey {
  return secretKeyFromSeed(randomBytes(8), randomBytes(32));
}

/**
 * Write `<name>.pub` and `<name>.key` (unencrypted, mode 0600) into `dir`. Both are written to temp
 * files first and renamed into place, so a crash never leaves a half-written key, and an existing
 * pair is only replaced with `force` (losing a signing key would lock an author out of their plugins).
 */
export function writeKeyPair(
  dir: string,
  opts: { name?: string; force?: boolean } = {},
): { publicKeyPath: string; secretKeyPath: string; keyid: string } {
  const name = opts.name ?? 'wharf';
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) {
    throw new WharfError('E_USAGE', `invalid key name ${JSON.stringify(name)}: use letters, digits, '.', '_' or '-'`);
  }
  const publicKeyPath = resolve(join(dir, `${name}.pub`));
  const secretKeyPath = resolve(join(dir, `${name}.key`));
  if (!opts.force) {
    const existing = [publicKeyPath, secretKeyPath].filter((p) => existsSync(p));
    if (existing.length > 0) {
      throw new WharfError(
        'E_USAGE',
        `refusing to overwrite the existing key file ${existing.join(' and ')}; pass --force to replace it`,
        {
          paths: existing,
        },
      );
    }
  }
  const sk = generateKeyPair();
  const temps: string[] = [];
  try {
    const skTmp = writeTemp(secretKeyPath, formatSecretKey(sk), 0o600);
    temps.push(skTmp);
    const pkTmp = writeTemp(publicKeyPath, formatPublicKey(sk.publicKey), 0o644);
    temps.push(pkTmp);
    renameSync(skTmp, secretKeyPath);
    renameSync(pkTmp, publicKeyPath);
  } catch (e) {
    for (const t of temps) rmSync(t, { force: true });
    throw new WharfError('E_IO', `could not write the key pair into ${dir}: ${(e as Error).message}`);
  }
  return { publicKeyPath, secretKeyPath, keyid: sk.keyid };
}
