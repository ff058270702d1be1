// `wharf plugin key`: put the author's public key into a project that `plugin init` made before `wharf keygen`
// ran (or with another key): plugin.json's signing_key and minisign.pub, the two places the review bot reads.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WharfError } from '@wharf/schemas';
import { fsyncDir, writeTemp } from '../fs/atomic-write.js';
import { formatPublicKey, parsePublicKey } from '../signing/index.js';

export interface ProjectKeyResult {
  dir: string;
  signingKey: string;
  keyid: string;
  /** The files written; empty when both already held this key. */
  written: string[];
}

/**
 * Set `signing_key` in `<dir>/plugin.json` and write `<dir>/minisign.pub`. `key` is a .pub file or its `RW…`
 * line. A project that already names a different key is refused (E_KEY_CHANGED) unless `force`: once a plugin
 * is published, a new key needs a rotation statement signed by the old one.
 */
export function setProjectKey(dir: string, key: string, opts: { force?: boolean } = {}): ProjectKeyResult {
  const root = resolve(dir);
  const manifestPath = join(root, 'plugin.json');
  if (!existsSync(manifestPath))
    throw new WharfError(
      'E_USAGE',
      `${root} has no plugin.json; run this in a project that \`wharf plugin init\` made.`,
    );
  const pk = parsePublicKey(readKeyText(key));
  let text: string;
  let m: Record<string, unknown>;
  try {
    text = readFileSync(manifestPath, 'utf8');
    m = JSON.parse(text);
  } catch (e) {
    throw new WharfError('E_SCHEMA', `${manifestPath} is not readable JSON: ${(e as Error).message}`);
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m))
    throw new WharfError('E_SCHEMA', `${manifestPath} is not a JSON object.`);
  const old = typeof m.signing_key === 'string' ? m.signing_key : undefined;
  if (old && old !== pk.base64 && !opts.force) {
    throw new WharfError(
      'E_KEY_CHANGED',
      `${manifestPath} already names signing key ${safeKeyid(old)}; this is key ${pk.keyid.toUpperCase()}. A published plugin needs a key rotation (signed by the old key) to change keys; pass --force if it was never published.`,
      { current: old, offered: pk.base64 },
    );
  }
  const pubPath = join(root, 'minisign.pub');
  const pubText = formatPublicKey(pk);
  const writes: Array<[string, string]> = [];
  if (old !== pk.base64) writes.push([manifestPath, `${JSON.stringify({ ...m, signing_key: pk.base64 }, null, 2)}\n`]);
  const pubNow = existsSync(pubPath) ? readFileSync(pubPath, 'utf8') : undefined;
  if (pubNow !== pubText) writes.push([pubPath, pubText]);

  // Both temp files first, then both renames: a failure before the renames changes nothing.
  const temps: Array<[string, string]> = [];
  try {
    for (const [target, data] of writes) temps.push([writeTemp(target, data), target]);
    for (const [tmp, target] of temps) renameSync(tmp, target);
  } catch (e) {
    for (const [tmp] of temps) rmSync(tmp, { force: true });
    throw new WharfError('E_IO', `could not write the key into ${root}: ${(e as Error).message}`);
  }
  if (temps.length) fsyncDir(root);
  return { dir: root, signingKey: pk.base64, keyid: pk.keyid, written: writes.map(([p]) => p) };
}

function readKeyText(spec: string): string {
  if (spec.startsWith('RW')) return spec;
  try {
    return readFileSync(spec, 'utf8');
  } catch (e) {
    throw new WharfError('E_IO', `could not read the public key ${spec}: ${(e as Error).message}`);
  }
}

function safeKeyid(base64: string): string {
  try {
    return parsePublicKey(base64).keyid.toUpperCase();
  } catch {
    return JSON.stringify(base64.slice(0, 20));
  }
}
