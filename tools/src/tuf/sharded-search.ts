import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RegistryPlugin } from '@wharf/schemas';
import {
  buildSearchIndex,
  indexFiles,
  isSearchable,
  MANIFEST_PATH,
  parseManifest,
  type SearchManifest,
  toSearchDocInput,
  updateSearchIndex,
} from '@wharf/schemas/search-index';
import { writeFileAtomic } from '../fs/atomic-write.js';

/**
 * The search index of a sharded registry (DESIGN §3 "At scale"): under `search/` in the registry dir.
 * `search/manifest.json` is a TUF target in the hashed bins (signed with the bins key, like plugins/<id>.json);
 * the chunk files beside it are plain files, verified by the hashes the manifest carries. Monolithic registries
 * have none: there the client holds the whole registry.
 */
export const SEARCH_DIR = 'search';
export const SEARCH_MANIFEST_TARGET = `${SEARCH_DIR}/${MANIFEST_PATH}`;

// Suspended and removed plugins are not found by search (the client's own build of a monolithic index skips them too).
export { isSearchable };

export async function readSearchManifest(registryDir: string): Promise<SearchManifest | undefined> {
  const p = join(registryDir, SEARCH_MANIFEST_TARGET);
  if (!existsSync(p)) return undefined;
  return parseManifest(await readFile(p, 'utf8'), p);
}

/**
 * Write an index's files. Chunks are content-addressed and written before the manifest that names them; a full
 * build writes thousands, so without an fsync each (a torn one no longer matches its hash and is rewritten next
 * time, as writeBlob does for plugin blobs); the manifest atomically.
 */
async function writeIndexFiles(registryDir: string, files: Map<string, string>, bulk: boolean): Promise<void> {
  const dir = join(registryDir, SEARCH_DIR);
  for (const [rel, text] of files) {
    if (rel === MANIFEST_PATH) continue;
    const p = join(dir, rel);
    const bytes = Buffer.from(text);
    if (statSync(p, { throwIfNoEntry: false })?.size === bytes.length) continue;
    await mkdir(dirname(p), { recursive: true });
    if (bulk) {
      const tmp = `${p}.${process.pid}.bulk.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, p);
    } else await writeFileAtomic(p, bytes);
  }
  await writeFileAtomic(join(dir, MANIFEST_PATH), files.get(MANIFEST_PATH) as string);
}

/**
 * Remove chunk files neither `current` nor `previous` names. The previous manifest's chunks stay, so a client
 * that verified the previous snapshot can still load what it names while mirrors catch up; anything older goes.
 */
async function prune(registryDir: string, current: SearchManifest, previous?: SearchManifest): Promise<number> {
  const keep = new Set([...indexFiles(current).keys(), ...(previous ? indexFiles(previous).keys() : [])]);
  let removed = 0;
  for (const sub of ['t', 'd', 'i']) {
    const names = await readdir(join(registryDir, SEARCH_DIR, sub)).catch(() => [] as string[]);
    for (const n of names)
      if (!keep.has(`${sub}/${n}`)) {
        await rm(join(registryDir, SEARCH_DIR, sub, n), { force: true });
        removed += 1;
      }
  }
  return removed;
}

export interface SearchPublish {
  /** The manifest's bytes, to be signed as SEARCH_MANIFEST_TARGET. */
  manifestBytes: Buffer;
  files: number;
  pruned: number;
  ms: number;
}

/** A full build from every plugin (the migration, `wharf-admin publish` on a sharded registry, the bench). */
export async function buildRegistrySearch(registryDir: string, plugins: RegistryPlugin[]): Promise<SearchPublish> {
  const t0 = performance.now();
  const previous = await readSearchManifest(registryDir).catch(() => undefined);
  const { manifest, files } = buildSearchIndex(plugins.filter(isSearchable).map(toSearchDocInput));
  await writeIndexFiles(registryDir, files, true);
  return {
    manifestBytes: Buffer.from(files.get(MANIFEST_PATH) as string),
    files: files.size,
    pruned: await prune(registryDir, manifest, previous),
    ms: Math.round(performance.now() - t0),
  };
}

/**
 * One publish's update: `plugins` are the changed entries as now on disk, `removedIds` the ones gone. Reads and
 * writes only the few chunks they touch. Without a previous index (a registry sharded before search existed)
 * it falls back to a full build from `allPlugins`.
 */
export async function updateRegistrySearch(
  registryDir: string,
  plugins: RegistryPlugin[],
  removedIds: string[],
  allPlugins: () => Promise<RegistryPlugin[]>,
): Promise<SearchPublish> {
  const t0 = performance.now();
  const previous = await readSearchManifest(registryDir);
  if (!previous) return buildRegistrySearch(registryDir, await allPlugins());
  const dir = join(registryDir, SEARCH_DIR);
  const { manifest, files } = await updateSearchIndex(
    previous,
    (rel) => readFile(join(dir, rel), 'utf8'),
    plugins.filter(isSearchable).map(toSearchDocInput),
    [...removedIds, ...plugins.filter((p) => !isSearchable(p)).map((p) => p.plugin_id)],
  );
  await writeIndexFiles(registryDir, files, false);
  return {
    manifestBytes: Buffer.from(files.get(MANIFEST_PATH) as string),
    files: files.size,
    pruned: await prune(registryDir, manifest, previous),
    ms: Math.round(performance.now() - t0),
  };
}
