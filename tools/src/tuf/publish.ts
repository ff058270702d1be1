import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJson, WharfError } from '@wharf/schemas';
import { validateDocument } from '../contract/schemas.js';
import { isShardedRegistry, publishShardedRegistry } from '../registry/sharded-store.js';
import { defaultKeysDir, loadRoleKey } from './keys.js';
import { assertRootTrusts, readMetadataState, readTimestamp } from './metadata-state.js';
import {
  addDays,
  EXPIRY_DAYS,
  metadataDir,
  REGISTRY_TARGET,
  writeSnapshotMetadata,
  writeTargetsMetadata,
  writeTimestampMetadata,
} from './sign-metadata.js';

export interface PublishOptions {
  /** Default: `<parent>/<basename>.keys/` beside the registry dir. */
  keysDir?: string;
  /** Reference time for expiries. */
  now?: Date;
  /** Absolute expiry overrides (tests publish already-expired metadata with these). */
  expires?: { targets?: Date; snapshot?: Date; timestamp?: Date };
}

export interface PublishResult {
  targetsVersion: number;
  snapshotVersion: number;
  timestampVersion: number;
  /** Sharded: of the summary registry.json (not itself signed; the plugin files are). */
  registrySha256: string;
  registryLength: number;
  sharded?: { bitLength: number; binsChanged: number; plugins: number };
}

/**
 * Signs the current `<dir>/registry.json` as the new index: target blob, then targets, snapshot, timestamp, each
 * one version higher. Written in that order, and old versions kept, so a client mid-update always finds every
 * file the metadata it already holds points at.
 */
export async function publishRegistry(registryDir: string, opts: PublishOptions = {}): Promise<PublishResult> {
  if (await isShardedRegistry(registryDir)) return publishShardedRegistry(registryDir, opts);
  const keysDir = opts.keysDir ?? defaultKeysDir(registryDir);
  const now = opts.now ?? new Date();
  const state = await readMetadataState(registryDir);
  const keys = {
    targets: await loadRoleKey(keysDir, 'targets'),
    snapshot: await loadRoleKey(keysDir, 'snapshot'),
    timestamp: await loadRoleKey(keysDir, 'timestamp'),
  };
  for (const k of Object.values(keys)) assertRootTrusts(state.root, k);

  let registryBytes: Buffer;
  try {
    registryBytes = await readFile(join(registryDir, REGISTRY_TARGET));
  } catch (e) {
    throw new WharfError('E_IO', `cannot read ${REGISTRY_TARGET} in ${registryDir}: ${(e as Error).message}`);
  }

  assertPublishable(registryBytes);

  const targets = await writeTargetsMetadata(registryDir, keys.targets, {
    version: state.targetsVersion + 1,
    expires: opts.expires?.targets ?? addDays(now, EXPIRY_DAYS.targets),
    registryBytes,
  });
  const snapshot = await writeSnapshotMetadata(registryDir, keys.snapshot, {
    version: state.snapshotVersion + 1,
    expires: opts.expires?.snapshot ?? addDays(now, EXPIRY_DAYS.snapshot),
    targets,
  });
  const timestamp = await writeTimestampMetadata(registryDir, keys.timestamp, {
    version: state.timestampVersion + 1,
    expires: opts.expires?.timestamp ?? addDays(now, EXPIRY_DAYS.timestamp),
    snapshot,
  });
  return {
    targetsVersion: targets.version,
    snapshotVersion: snapshot.version,
    timestampVersion: timestamp.version,
    registrySha256: targets.targetSha256,
    registryLength: registryBytes.length,
  };
}

/** Signing is a promise to every client: refuse to sign a registry.json that is not a valid registry. */
function assertPublishable(bytes: Buffer): void {
  const doc = parseJson(bytes, 'registry.json');
  const { kind, problems } = validateDocument(doc);
  if (kind !== 'registry' || problems.length > 0) {
    const detail = problems.map((p) => `${p.path || '/'} ${p.code} ${p.message}`).join('; ');
    throw new WharfError('E_SCHEMA', `refusing to sign registry.json: ${detail || `it looks like a ${kind}`}`, {
      problems,
    });
  }
}

/** The daily job: same snapshot, new timestamp version with a fresh expiry. Only the timestamp key is needed. */
export async function resignTimestamp(
  registryDir: string,
  opts: { keysDir?: string; now?: Date; expires?: Date } = {},
): Promise<{ timestampVersion: number; snapshotVersion: number; expires: string }> {
  const keysDir = opts.keysDir ?? defaultKeysDir(registryDir);
  const state = await readMetadataState(registryDir);
  const key = await loadRoleKey(keysDir, 'timestamp');
  assertRootTrusts(state.root, key);
  const current = await readTimestamp(registryDir).catch(() => {
    throw new WharfError('E_IO', `no metadata/timestamp.json in ${registryDir}; run \`wharf-admin publish\` first`);
  });
  const snapshotVersion = current.signed.snapshotMeta.version;
  const snapshotBytes = await readFile(join(metadataDir(registryDir), `${snapshotVersion}.snapshot.json`));
  const written = await writeTimestampMetadata(registryDir, key, {
    version: state.timestampVersion + 1,
    expires: opts.expires ?? addDays(opts.now ?? new Date(), EXPIRY_DAYS.timestamp),
    snapshot: { version: snapshotVersion, bytes: snapshotBytes },
  });
  const latest = await readTimestamp(registryDir);
  return { timestampVersion: written.version, snapshotVersion, expires: latest.signed.expires };
}
