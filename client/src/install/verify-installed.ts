import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type LockEntry, WharfError } from '@wharf/schemas';
import type { HomePaths } from '../home.js';
import { readCachedIndex } from '../index/index-cache.js';
import { verifyReleaseSignature } from '../signing/index.js';

/**
 * `wharf verify --full` for one installed plugin whose bytes already matched the lockfile's sha256: the whole
 * `minisign -V` check (DESIGN §3) of the signature stored beside it (release.json, written at install) against
 * the key the verified index lists for the lockfile's keyid, then the id/version/sha256 binding. Unsigned legacy
 * installs (keyid "") have nothing to check. Throws the WharfError that names the problem.
 */
export function verifyInstalledSignature(home: HomePaths, entry: LockEntry, bytes: Uint8Array): void {
  if (entry.keyid === '') return;
  const id = entry.id.includes(':') ? entry.id.slice(entry.id.indexOf(':') + 1) : entry.id;
  const snap = readCachedIndex(home, entry.source);
  if (!snap) {
    throw new WharfError(
      'E_NOT_FOUND',
      `No verified index of source "${entry.source}" is cached, so the key of ${entry.id} is unknown; run \`wharf refresh\`.`,
    );
  }
  const key = snap.registry.plugins.find((p) => p.plugin_id === id)?.keys.find((k) => k.keyid === entry.keyid);
  if (!key || key.status === 'revoked') {
    throw new WharfError(
      'E_SIG_INVALID',
      `${entry.id} was signed with key ${entry.keyid}, which the index of "${entry.source}" ${key ? 'has revoked' : 'no longer lists'}.`,
    );
  }
  let minisig: unknown;
  try {
    const doc = JSON.parse(readFileSync(join(home.root, dirname(entry.path), 'release.json'), 'utf8'));
    minisig = doc?.release?.minisig;
  } catch {
    minisig = undefined;
  }
  if (typeof minisig !== 'string') {
    throw new WharfError('E_SIG_INVALID', `${entry.id} has no readable signature beside it (release.json).`);
  }
  try {
    // The same full check the review bot and `wharf-admin add` make (`minisign -V`, then the binding).
    verifyReleaseSignature({
      data: bytes,
      sha256: entry.sha256,
      minisig,
      publicKey: key.public_key,
      id,
      version: entry.version,
    });
  } catch (e) {
    if (e instanceof WharfError) throw new WharfError(e.code, `${entry.id}@${entry.version}: ${e.message}`, e.details);
    throw e;
  }
}
