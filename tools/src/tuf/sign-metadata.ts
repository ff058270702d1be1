import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { type RoleKey, type RoleKeys, signerFor, TUF_ROLES } from './keys.js';
import { Metadata, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp } from './models.js';

/** The one TUF target: the signed catalog. */
export const REGISTRY_TARGET = 'registry.json';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Default lifetimes (DESIGN §3): root offline for a year, timestamp re-signed daily with a 7-day expiry. */
export const EXPIRY_DAYS = { root: 365, targets: 91, snapshot: 91, timestamp: 7 } as const;

export function addDays(from: Date, days: number): Date {
  return new Date(from.getTime() + days * DAY_MS);
}

/** TUF wants `YYYY-MM-DDTHH:MM:SSZ`, without milliseconds. */
export function tufDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Pretty-printed: the signature covers the canonical form of `signed`, so whitespace is free. */
export function serializeMetadata(md: Metadata<Root | Targets | Snapshot | Timestamp>): Buffer {
  return Buffer.from(`${JSON.stringify(md.toJSON(), null, 2)}\n`);
}

export function metadataDir(registryDir: string): string {
  return join(registryDir, 'metadata');
}

export function targetsDir(registryDir: string): string {
  return join(registryDir, 'targets');
}

/** Root with one ed25519 key per top-level role, thresholds 1, consistent snapshots on. */
export function buildRoot(keys: RoleKeys, opts: { version: number; expires: Date }): Metadata<Root> {
  // Without explicit roles, Root starts with every top-level role at threshold 1 and no keys; addKey fills them.
  const root = new Root({
    version: opts.version,
    specVersion: '1.0.31',
    expires: tufDate(opts.expires),
    consistentSnapshot: true,
  });
  for (const role of TUF_ROLES) root.addKey(keys[role].key, role);
  const md = new Metadata(root);
  md.sign(signerFor(keys.root));
  return md;
}

export interface WrittenMetadata {
  version: number;
  bytes: Buffer;
  path: string;
}

/** Writes `metadata/<version>.root.json`. Returns its bytes: their sha256 is the source's root fingerprint. */
export async function writeRootMetadata(registryDir: string, md: Metadata<Root>): Promise<WrittenMetadata> {
  await mkdir(metadataDir(registryDir), { recursive: true });
  const bytes = serializeMetadata(md);
  const path = join(metadataDir(registryDir), `${md.signed.version}.root.json`);
  await writeFileAtomic(path, bytes);
  return { version: md.signed.version, bytes, path };
}

/**
 * Writes the target blob `targets/<sha256>.registry.json` (consistent-snapshot naming: tuf-js fetches
 * `<targetBaseUrl>/<first hash>.<basename>`, so sha256 must be the only, hence first, hash) and then
 * `metadata/<version>.targets.json` pinning its length and sha256.
 */
export async function writeTargetsMetadata(
  registryDir: string,
  key: RoleKey,
  opts: { version: number; expires: Date; registryBytes: Uint8Array },
): Promise<WrittenMetadata & { targetSha256: string }> {
  const targetSha256 = sha256Hex(opts.registryBytes);
  await mkdir(targetsDir(registryDir), { recursive: true });
  await mkdir(metadataDir(registryDir), { recursive: true });
  // Blob first: once metadata names a hash, the bytes for it must already be there.
  await writeFileAtomic(join(targetsDir(registryDir), `${targetSha256}.${REGISTRY_TARGET}`), opts.registryBytes);
  const targets = new Targets({ version: opts.version, specVersion: '1.0.31', expires: tufDate(opts.expires) });
  targets.addTarget(
    new TargetFile({ path: REGISTRY_TARGET, length: opts.registryBytes.length, hashes: { sha256: targetSha256 } }),
  );
  const md = new Metadata(targets);
  md.sign(signerFor(key));
  const bytes = serializeMetadata(md);
  const path = join(metadataDir(registryDir), `${opts.version}.targets.json`);
  await writeFileAtomic(path, bytes);
  return { version: opts.version, bytes, path, targetSha256 };
}

function metaFileFor(version: number, bytes: Uint8Array): MetaFile {
  // Length + hash let the client reject a swapped file before parsing it (a mixed or tampered snapshot).
  return new MetaFile({ version, length: bytes.length, hashes: { sha256: sha256Hex(bytes) } });
}

/** Writes `metadata/<version>.snapshot.json` pointing at the given targets.json version. */
export async function writeSnapshotMetadata(
  registryDir: string,
  key: RoleKey,
  opts: { version: number; expires: Date; targets: { version: number; bytes: Uint8Array } },
): Promise<WrittenMetadata> {
  const snapshot = new Snapshot({
    version: opts.version,
    specVersion: '1.0.31',
    expires: tufDate(opts.expires),
    meta: { 'targets.json': metaFileFor(opts.targets.version, opts.targets.bytes) },
  });
  const md = new Metadata(snapshot);
  md.sign(signerFor(key));
  const bytes = serializeMetadata(md);
  const path = join(metadataDir(registryDir), `${opts.version}.snapshot.json`);
  await writeFileAtomic(path, bytes);
  return { version: opts.version, bytes, path };
}

/**
 * Writes `metadata/<version>.timestamp.json` (history, handy for audits; clients never ask for it) and then
 * `metadata/timestamp.json`, the only unversioned file and the one clients poll, so it goes last.
 */
export async function writeTimestampMetadata(
  registryDir: string,
  key: RoleKey,
  opts: { version: number; expires: Date; snapshot: { version: number; bytes: Uint8Array } },
): Promise<WrittenMetadata> {
  const timestamp = new Timestamp({
    version: opts.version,
    specVersion: '1.0.31',
    expires: tufDate(opts.expires),
    snapshotMeta: metaFileFor(opts.snapshot.version, opts.snapshot.bytes),
  });
  const md = new Metadata(timestamp);
  md.sign(signerFor(key));
  const bytes = serializeMetadata(md);
  await writeFileAtomic(join(metadataDir(registryDir), `${opts.version}.timestamp.json`), bytes);
  const path = join(metadataDir(registryDir), 'timestamp.json');
  await writeFileAtomic(path, bytes);
  return { version: opts.version, bytes, path };
}
