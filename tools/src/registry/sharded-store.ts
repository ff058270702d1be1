import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Registry, type RegistryPlugin, WharfError } from '@wharf/schemas';
import { checkId } from '../contract/schemas.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { PublishResult } from '../tuf/publish.js';
import { HEAD_TARGET, pluginTarget, readShardedState } from '../tuf/sharded-layout.js';
import {
  headPath,
  listPluginIds,
  pluginFileBytes,
  publishShardedFull,
  type RegistryHead,
  readHead,
  type ShardedOptions,
  type ShardedPublishResult,
} from '../tuf/sharded-publish.js';
import { sha256Hex } from '../tuf/sign-metadata.js';
import { readRegistry, registryPath } from './store.js';

/**
 * The sharded registry's sources of truth, crates.io-style: `registry-head.json` (name, categories) and one
 * `plugins/<id>.json` per plugin. `registry.json` becomes a summary for people, the site and third-party tools.
 */
export function pluginPath(registryDir: string, id: string): string {
  checkId(id); // the id becomes a path: only ids the registry would accept
  return join(registryDir, 'plugins', `${id}.json`);
}

export async function isShardedRegistry(registryDir: string): Promise<boolean> {
  return existsSync(headPath(registryDir)) && (await readShardedState(registryDir)) !== undefined;
}

export async function readPluginFile(registryDir: string, id: string): Promise<RegistryPlugin | undefined> {
  const p = pluginPath(registryDir, id);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(await readFile(p, 'utf8')) as RegistryPlugin;
  } catch (e) {
    throw new WharfError('E_SCHEMA', `${p} is not JSON: ${(e as Error).message}`, { path: p });
  }
}

export async function writePluginFile(registryDir: string, plugin: RegistryPlugin): Promise<void> {
  await mkdir(join(registryDir, 'plugins'), { recursive: true });
  await writeFileAtomic(pluginPath(registryDir, plugin.plugin_id), pluginFileBytes(plugin));
}

export interface SummaryEntry {
  plugin_id: string;
  name: string;
  short_description: string;
  category: string;
  latest: string;
  status: RegistryPlugin['status'];
  /** Where the full, signed entry is: `plugins/<id>.json` (a TUF target under the hashed bins). */
  file: string;
}

/** `registry.json` of a sharded registry (schemas/json/registry-summary.schema.json). */
export interface RegistrySummary extends RegistryHead {
  layout: { kind: 'sharded'; head: string; plugin_file: string; bin_bits: number };
  plugins: SummaryEntry[];
}

export function summaryEntry(p: RegistryPlugin): SummaryEntry {
  return {
    plugin_id: p.plugin_id,
    name: p.name,
    short_description: p.short_description,
    category: p.category,
    latest: p.versions.latest,
    status: p.status,
    file: pluginTarget(p.plugin_id),
  };
}

export async function writeSummary(
  registryDir: string,
  head: RegistryHead,
  plugins: RegistryPlugin[],
  binBits: number,
): Promise<void> {
  await writeSummaryEntries(registryDir, head, plugins.map(summaryEntry), binBits);
}

export async function writeSummaryEntries(
  registryDir: string,
  head: RegistryHead,
  entries: SummaryEntry[],
  binBits: number,
): Promise<void> {
  const summary: RegistrySummary = {
    ...head,
    layout: { kind: 'sharded', head: HEAD_TARGET, plugin_file: 'plugins/<id>.json', bin_bits: binBits },
    // Sorted by id (code-unit order, as listPluginIds): updateSummary finds a plugin's line by binary search.
    plugins: [...entries].sort((a, b) => (a.plugin_id < b.plugin_id ? -1 : a.plugin_id > b.plugin_id ? 1 : 0)),
  };
  // One entry a line: about 200 bytes a plugin, 20 MB at 100k, and a one-line diff per publish in Git.
  const body = summary.plugins.map((e) => `    ${JSON.stringify(e)}`).join(',\n');
  const { plugins: _omit, ...rest } = summary;
  const text = JSON.stringify(rest, null, 2).replace(/\n}$/, `,\n  "plugins": [\n${body}\n  ]\n}\n`);
  await writeFileAtomic(registryPath(registryDir), text);
}

/**
 * `wharf-admin shard`: turn a monolithic registry into the sharded layout. Same root, same top-level keys: the
 * next targets version delegates to the hashed bins (signed by a new `bins` key in the keys dir), so a client
 * that trusted the old index follows it with its next refresh.
 */
export async function migrateToSharded(
  registryDir: string,
  opts: ShardedOptions & { bitLength?: number } = {},
): Promise<ShardedPublishResult> {
  if (await isShardedRegistry(registryDir)) throw new WharfError('E_USAGE', `${registryDir} is already sharded`);
  const { registry } = await readRegistry(registryDir);
  const { plugins, ...head } = registry as Registry;
  for (const p of plugins) await writePluginFile(registryDir, p);
  await writeFileAtomic(headPath(registryDir), `${JSON.stringify(head, null, 2)}\n`);
  const result = await publishShardedFull(registryDir, { ...opts, head });
  await writeSummary(registryDir, head, plugins, result.bitLength);
  return result;
}

/** `wharf-admin publish` on a sharded registry: every plugin file re-read, changed bins re-signed, summary rewritten. */
export async function publishShardedRegistry(registryDir: string, opts: ShardedOptions = {}): Promise<PublishResult> {
  const head = await readHead(registryDir);
  const r = await publishShardedFull(registryDir, { ...opts, head });
  const plugins: RegistryPlugin[] = [];
  for (const id of await listPluginIds(registryDir)) {
    const p = await readPluginFile(registryDir, id);
    if (p) plugins.push(p);
  }
  await writeSummary(registryDir, head, plugins, r.bitLength);
  const bytes = await readFile(registryPath(registryDir));
  return {
    targetsVersion: r.targetsVersion,
    snapshotVersion: r.snapshotVersion,
    timestampVersion: r.timestampVersion,
    registrySha256: sha256Hex(bytes),
    registryLength: bytes.length,
    sharded: { bitLength: r.bitLength, binsChanged: r.binsChanged, plugins: r.plugins },
  };
}

/** The whole catalog as one Registry, whichever the layout (WXAUTO export): at scale this reads every plugin file. */
export async function readFullRegistry(registryDir: string): Promise<Registry> {
  if (!(await isShardedRegistry(registryDir))) return (await readRegistry(registryDir)).registry;
  const plugins: RegistryPlugin[] = [];
  for (const id of await listPluginIds(registryDir)) {
    const p = await readPluginFile(registryDir, id);
    if (p) plugins.push(p);
  }
  return { ...(await readHead(registryDir)), plugins };
}
