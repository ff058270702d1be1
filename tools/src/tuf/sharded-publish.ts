import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Registry, type RegistryPlugin, WharfError } from '@wharf/schemas';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { defaultKeysDir, generateRoleKey, loadRoleKey, type RoleKey, saveRoleKeys, signerFor } from './keys.js';
import { assertRootTrusts, readMetadataState, readTimestamp } from './metadata-state.js';
import { Metadata, MetadataKind, MetaFile, Snapshot, TargetFile, Targets } from './models.js';
import {
  binOf,
  bitLengthFor,
  delegatingTargets,
  HEAD_TARGET,
  pluginTarget,
  readShardedState,
  succinctRolesFor,
} from './sharded-layout.js';
import { buildRegistrySearch, SEARCH_MANIFEST_TARGET, updateRegistrySearch } from './sharded-search.js';
import {
  addDays,
  EXPIRY_DAYS,
  metadataDir,
  sha256Hex,
  targetsDir,
  tufDate,
  writeTimestampMetadata,
} from './sign-metadata.js';

/** Compact: the snapshot and the bins are what every refresh downloads; whitespace would be a third of them. */
function compact(md: Metadata<Targets | Snapshot>): Buffer {
  return Buffer.from(`${JSON.stringify(md.toJSON())}\n`);
}

/** One plugin's target file: its registry entry, compact, the same bytes in `plugins/` and `targets/plugins/`. */
export function pluginFileBytes(plugin: RegistryPlugin): Buffer {
  return Buffer.from(`${JSON.stringify(plugin)}\n`);
}

/** The head: everything of registry.json but the plugins, signed as a top-level target. */
export type RegistryHead = Omit<Registry, 'plugins'>;

export interface ShardedKeys {
  targets: RoleKey;
  bins: RoleKey;
  snapshot: RoleKey;
  timestamp: RoleKey;
}

async function loadShardedKeys(keysDir: string, createBins: boolean): Promise<ShardedKeys> {
  if (createBins && !existsSync(join(keysDir, 'bins.pem')))
    await saveRoleKeys(keysDir, { bins: generateRoleKey('bins') });
  return {
    targets: await loadRoleKey(keysDir, 'targets'),
    bins: await loadRoleKey(keysDir, 'bins'),
    snapshot: await loadRoleKey(keysDir, 'snapshot'),
    timestamp: await loadRoleKey(keysDir, 'timestamp'),
  };
}

async function writeBlob(registryDir: string, target: string, bytes: Uint8Array, bulk = false): Promise<TargetFile> {
  const sha = sha256Hex(bytes);
  const slash = target.lastIndexOf('/');
  const dir = join(targetsDir(registryDir), target.slice(0, Math.max(slash, 0)));
  await mkdir(dir, { recursive: true });
  // Consistent-snapshot name, as tuf-js asks for it: <dir>/<sha256>.<basename>. Blob before the metadata naming it.
  const path = join(dir, `${sha}.${target.slice(slash + 1)}`);
  if (bulk) {
    // Content-addressed and written before any metadata names it: at 100k plugins one fsync pair a blob would
    // take minutes. A crash can leave a short blob; its size no longer matches, so the next publish rewrites it.
    if (statSync(path, { throwIfNoEntry: false })?.size !== bytes.length) {
      const tmp = `${path}.${process.pid}.bulk.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, path);
    }
  } else if (!existsSync(path)) await writeFileAtomic(path, bytes);
  return new TargetFile({ path: target, length: bytes.length, hashes: { sha256: sha } });
}

function signBin(
  key: RoleKey,
  version: number,
  expires: Date,
  targets: Record<string, TargetFile>,
): { md: Metadata<Targets>; bytes: Buffer } {
  const md = new Metadata(new Targets({ version, specVersion: '1.0.31', expires: tufDate(expires), targets }));
  md.sign(signerFor(key));
  return { md, bytes: compact(md) };
}

export interface ShardedPublishResult {
  /** Files the search index wrote (manifest included) and old chunks it pruned. */
  search?: { files: number; pruned: number; ms: number };
  targetsVersion: number;
  snapshotVersion: number;
  timestampVersion: number;
  bitLength: number;
  binsChanged: number;
  plugins: number;
}

export interface ShardedOptions {
  keysDir?: string;
  now?: Date;
  expires?: { targets?: Date; snapshot?: Date; timestamp?: Date };
}

/**
 * The whole sharded index from scratch, or re-signed after edits: reads every `plugins/<id>.json` and the head,
 * re-signs only the bins whose target lists changed (all of them on the first sharded publish, or when
 * `bitLength` changes the binning), then the snapshot and the timestamp. Used by the migration and by
 * `wharf-admin publish` on a sharded registry; one-plugin publishes go through `publishShardedPlugins`.
 */
export async function publishShardedFull(
  registryDir: string,
  opts: ShardedOptions & { bitLength?: number; head?: RegistryHead } = {},
): Promise<ShardedPublishResult> {
  const keysDir = opts.keysDir ?? defaultKeysDir(registryDir);
  const now = opts.now ?? new Date();
  const state = await readMetadataState(registryDir);
  const keys = await loadShardedKeys(keysDir, true);
  for (const r of ['targets', 'snapshot', 'timestamp'] as const) assertRootTrusts(state.root, keys[r]);
  const previous = await readShardedState(registryDir);
  const ids = await listPluginIds(registryDir);
  const bitLength = opts.bitLength ?? previous?.roles.bitLength ?? bitLengthFor(ids.length);
  const roles = succinctRolesFor(bitLength, keys.bins.key);

  // Top-level targets: re-signed when the head, the binning or the bins key changed (or on the first publish).
  const head = opts.head ?? (await readHead(registryDir));
  const headFile = await writeBlob(registryDir, HEAD_TARGET, Buffer.from(`${JSON.stringify(head)}\n`));
  const prevHead = previous?.targets.signed.targets[HEAD_TARGET];
  const sameTop =
    previous?.roles.equals(roles) === true &&
    prevHead?.hashes.sha256 === headFile.hashes.sha256 &&
    previous.targets.signed.delegations?.keys[keys.bins.key.keyID] !== undefined;
  let targetsVersion = previous?.targetsVersion ?? state.targetsVersion;
  if (!sameTop) {
    targetsVersion = state.targetsVersion + 1;
    const top = delegatingTargets({
      version: targetsVersion,
      expires: tufDate(opts.expires?.targets ?? addDays(now, EXPIRY_DAYS.targets)),
      bitLength,
      binsKey: keys.bins.key,
    });
    top.addTarget(headFile);
    const md = new Metadata(top);
    md.sign(signerFor(keys.targets));
    await writeFileAtomic(join(metadataDir(registryDir), `${targetsVersion}.targets.json`), compact(md));
  }

  const byBin = new Map<string, Record<string, TargetFile>>();
  for (const name of roles.getRoles()) byBin.set(name, {});
  const entries: RegistryPlugin[] = [];
  for (const id of ids) {
    const bytes = await readFile(join(registryDir, 'plugins', `${id}.json`));
    const file = await writeBlob(registryDir, pluginTarget(id), bytes, true);
    (byBin.get(binOf(roles, id)) as Record<string, TargetFile>)[file.path] = file;
    entries.push(parsePluginFile(bytes, id));
  }
  // The search index is built from the same entries and signed in its bin like a plugin file.
  const search = await buildRegistrySearch(registryDir, entries);
  const searchFile = await writeBlob(registryDir, SEARCH_MANIFEST_TARGET, search.manifestBytes);
  (byBin.get(roles.getRoleForTarget(SEARCH_MANIFEST_TARGET)) as Record<string, TargetFile>)[searchFile.path] =
    searchFile;
  const snapshot = await currentSnapshot(registryDir);
  const meta: Record<string, MetaRef> = {};
  let binsChanged = 0;
  const binExpires = opts.expires?.targets ?? addDays(now, EXPIRY_DAYS.targets);
  for (const [name, targets] of byBin) {
    const prevVersion = snapshot?.signed.meta[`${name}.json`]?.version;
    const prev = sameTop && prevVersion ? await readBin(registryDir, name, prevVersion) : undefined;
    if (prev && prevVersion && sameTargets(prev.signed.targets, targets)) {
      meta[`${name}.json`] = { version: prevVersion };
      continue;
    }
    const version = (prevVersion ?? 0) + 1;
    const { bytes } = signBin(keys.bins, version, binExpires, targets);
    await writeFileAtomic(join(metadataDir(registryDir), `${version}.${name}.json`), bytes);
    meta[`${name}.json`] = { version };
    binsChanged += 1;
  }
  const written = await writeSnapshotAndTimestamp(registryDir, keys, state, now, opts, {
    targets: { version: targetsVersion },
    bins: meta,
  });
  return {
    targetsVersion,
    ...written,
    bitLength,
    binsChanged,
    plugins: ids.length,
    search: { files: search.files, pruned: search.pruned, ms: search.ms },
  };
}

function parsePluginFile(bytes: Buffer, id: string): RegistryPlugin {
  try {
    return JSON.parse(bytes.toString('utf8')) as RegistryPlugin;
  } catch (e) {
    throw new WharfError('E_SCHEMA', `plugins/${id}.json is not JSON: ${(e as Error).message}`);
  }
}

/**
 * Publish the given plugins' files (already written to `plugins/<id>.json`): each one's blob, its bin one version
 * up, then the snapshot and the timestamp. Nothing else is read or written, so the cost does not grow with the
 * registry beyond the snapshot (DESIGN §9: at most 2 s at 100k plugins).
 */
export async function publishShardedPlugins(
  registryDir: string,
  ids: string[],
  opts: ShardedOptions = {},
): Promise<ShardedPublishResult & { bins: string[] }> {
  const keysDir = opts.keysDir ?? defaultKeysDir(registryDir);
  const now = opts.now ?? new Date();
  const sharded = await readShardedState(registryDir);
  if (!sharded) throw new WharfError('E_USAGE', `${registryDir} is not sharded; run \`wharf-admin shard\` first`);
  const state = await readMetadataState(registryDir);
  const keys = await loadShardedKeys(keysDir, false);
  for (const r of ['snapshot', 'timestamp'] as const) assertRootTrusts(state.root, keys[r]);
  if (!sharded.roles.keyIDs.includes(keys.bins.key.keyID))
    throw new WharfError(
      'E_INDEX_SIGNATURE',
      `the bins key is not the one targets v${sharded.targetsVersion} delegates to`,
    );
  const snapshot = await currentSnapshot(registryDir);
  if (!snapshot) throw new WharfError('E_IO', `no snapshot in ${registryDir}; run \`wharf-admin publish\` first`);
  // The changed plugins' entries update the search index first; its manifest is signed in its bin with them.
  const present: RegistryPlugin[] = [];
  const gone: string[] = [];
  for (const id of new Set(ids)) {
    const p = join(registryDir, 'plugins', `${id}.json`);
    if (existsSync(p)) present.push(parsePluginFile(await readFile(p), id));
    else gone.push(id);
  }
  const search = await updateRegistrySearch(registryDir, present, gone, async () => {
    const all: RegistryPlugin[] = [];
    for (const id of await listPluginIds(registryDir))
      all.push(parsePluginFile(await readFile(join(registryDir, 'plugins', `${id}.json`)), id));
    return all;
  });
  const bins = new Map<string, string[]>();
  for (const target of [...new Set(ids)].map(pluginTarget).concat(SEARCH_MANIFEST_TARGET)) {
    const bin = sharded.roles.getRoleForTarget(target);
    bins.set(bin, [...(bins.get(bin) ?? []), target]);
  }
  const meta: Record<string, MetaRef> = {};
  for (const [name, binTargets] of bins) {
    const prevVersion = snapshot.signed.meta[`${name}.json`]?.version ?? 0;
    const prev = prevVersion ? await readBin(registryDir, name, prevVersion) : undefined;
    const targets: Record<string, TargetFile> = { ...(prev?.signed.targets ?? {}) };
    for (const target of binTargets) {
      if (target === SEARCH_MANIFEST_TARGET) {
        targets[target] = await writeBlob(registryDir, target, search.manifestBytes);
        continue;
      }
      const p = join(registryDir, target);
      if (existsSync(p)) targets[target] = await writeBlob(registryDir, target, await readFile(p));
      else delete targets[target]; // removed from the registry
    }
    const version = prevVersion + 1;
    const expires = opts.expires?.targets ?? addDays(now, EXPIRY_DAYS.targets);
    const { bytes } = signBin(keys.bins, version, expires, targets);
    await writeFileAtomic(join(metadataDir(registryDir), `${version}.${name}.json`), bytes);
    meta[`${name}.json`] = { version };
  }
  const all: Record<string, MetaRef> = {};
  for (const [k, v] of Object.entries(snapshot.signed.meta)) if (k !== 'targets.json') all[k] = v;
  Object.assign(all, meta);
  const targetsMeta = snapshot.signed.meta['targets.json'] as MetaRef;
  const written = await writeSnapshotAndTimestamp(registryDir, keys, state, now, opts, {
    targets: targetsMeta,
    bins: all,
  });
  return {
    targetsVersion: sharded.targetsVersion,
    ...written,
    bitLength: sharded.roles.bitLength,
    binsChanged: bins.size,
    plugins: ids.length,
    bins: [...bins.keys()],
    search: { files: search.files, pruned: search.pruned, ms: search.ms },
  };
}

async function writeSnapshotAndTimestamp(
  registryDir: string,
  keys: ShardedKeys,
  state: Awaited<ReturnType<typeof readMetadataState>>,
  now: Date,
  opts: ShardedOptions,
  meta: { targets: MetaRef; bins: Record<string, MetaRef> },
): Promise<{ snapshotVersion: number; timestampVersion: number }> {
  const snapshotVersion = state.snapshotVersion + 1;
  const refs: Record<string, MetaRef> = { 'targets.json': meta.targets, ...meta.bins };
  const md = new Metadata(
    new Snapshot({
      version: snapshotVersion,
      specVersion: '1.0.31',
      expires: tufDate(opts.expires?.snapshot ?? addDays(now, EXPIRY_DAYS.snapshot)),
      meta: Object.fromEntries(Object.entries(refs).map(([k, v]) => [k, new MetaFile({ version: v.version })])),
    }),
  );
  md.sign(signerFor(keys.snapshot));
  const snapBytes = compact(md);
  await writeFileAtomic(join(metadataDir(registryDir), `${snapshotVersion}.snapshot.json`), snapBytes);
  const ts = await writeTimestampMetadata(registryDir, keys.timestamp, {
    version: state.timestampVersion + 1,
    expires: opts.expires?.timestamp ?? addDays(now, EXPIRY_DAYS.timestamp),
    snapshot: { version: snapshotVersion, bytes: snapBytes },
  });
  return { snapshotVersion, timestampVersion: ts.version };
}

function sameTargets(a: Record<string, TargetFile>, b: Record<string, TargetFile>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => b[k] !== undefined && a[k]?.hashes.sha256 === b[k]?.hashes.sha256);
}

/** A snapshot's meta entry as the sharded layout writes it: version only (TUF allows omitting length and hashes). */
interface MetaRef {
  version: number;
}

/** The snapshot the timestamp names; a file that is no snapshot metadata is E_SCHEMA. */
async function currentSnapshot(registryDir: string): Promise<Metadata<Snapshot> | undefined> {
  const ts = await readTimestamp(registryDir).catch(() => undefined);
  if (!ts) return undefined;
  const file = join(metadataDir(registryDir), `${ts.signed.snapshotMeta.version}.snapshot.json`);
  const text = await readFile(file, 'utf8');
  try {
    return Metadata.fromJSON(MetadataKind.Snapshot, JSON.parse(text));
  } catch (e) {
    throw new WharfError('E_SCHEMA', `${file} is not snapshot metadata: ${(e as Error).message}`);
  }
}

async function readBin(registryDir: string, name: string, version: number): Promise<Metadata<Targets>> {
  const text = await readFile(join(metadataDir(registryDir), `${version}.${name}.json`), 'utf8');
  return Metadata.fromJSON(MetadataKind.Targets, JSON.parse(text) as never);
}

export async function listPluginIds(registryDir: string): Promise<string[]> {
  const names = await readdir(join(registryDir, 'plugins')).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
    .map((n) => n.slice(0, -'.json'.length))
    .sort();
}

export function headPath(registryDir: string): string {
  return join(registryDir, HEAD_TARGET);
}

export async function readHead(registryDir: string): Promise<RegistryHead> {
  try {
    return JSON.parse(await readFile(headPath(registryDir), 'utf8')) as RegistryHead;
  } catch (e) {
    throw new WharfError('E_IO', `cannot read ${headPath(registryDir)}: ${(e as Error).message}`);
  }
}
