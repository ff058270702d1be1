import { readFile } from 'node:fs/promises';
import type { Registry, RegistryPlugin } from '@wharf/schemas';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { publishRegistry } from '../tuf/publish.js';
import { pluginFileBytes, publishShardedPlugins, readHead } from '../tuf/sharded-publish.js';
import { isShardedRegistry, readPluginFile, summaryEntry, writePluginFile } from './sharded-store.js';
import { readRegistry, registryPath, writeRegistry } from './store.js';

/**
 * One edit of a registry, whichever its layout: the callers (add, approvals, yank/deprecate/remove, key rotation)
 * change a `Registry` as before. Monolithic: the whole registry.json, written back whole. Sharded: the head and
 * only the plugins `ids` names; `save` writes the plugin files that changed, re-signs their bins, the snapshot
 * and the timestamp (DESIGN §9: at most 2 s at 100k plugins) and updates their lines of the summary registry.json.
 */
export interface RegistryEdit {
  registry: Registry;
  sharded: boolean;
  /** `sign`: monolithic registries are re-signed only when asked (`publish` does it otherwise); sharded always. */
  save(next: Registry, opts?: { sign?: boolean; keysDir?: string; now?: Date }): Promise<SavedEdit>;
}

export interface SavedEdit {
  changed: string[];
  /** Sharded: what was signed. */
  published?: { snapshotVersion: number; timestampVersion: number; bins: string[] };
}

export async function openRegistryEdit(registryDir: string, ids: string[]): Promise<RegistryEdit> {
  if (!(await isShardedRegistry(registryDir))) {
    const { registry } = await readRegistry(registryDir);
    return {
      registry,
      sharded: false,
      async save(next, opts = {}) {
        await writeRegistry(registryDir, next);
        if (opts.sign)
          await publishRegistry(registryDir, {
            ...(opts.keysDir ? { keysDir: opts.keysDir } : {}),
            ...(opts.now ? { now: opts.now } : {}),
          });
        return { changed: next.plugins.map((p) => p.plugin_id) };
      },
    };
  }
  const head = await readHead(registryDir);
  const plugins: RegistryPlugin[] = [];
  for (const id of new Set(ids)) {
    const p = await readPluginFile(registryDir, id);
    if (p) plugins.push(p);
  }
  const before = new Map(plugins.map((p) => [p.plugin_id, pluginFileBytes(p).toString()]));
  return {
    registry: { ...head, plugins },
    sharded: true,
    async save(next, opts = {}) {
      const changed = next.plugins.filter((p) => before.get(p.plugin_id) !== pluginFileBytes(p).toString());
      if (changed.length === 0) return { changed: [] };
      for (const p of changed) await writePluginFile(registryDir, p);
      const r = await publishShardedPlugins(
        registryDir,
        changed.map((p) => p.plugin_id),
        { ...(opts.keysDir ? { keysDir: opts.keysDir } : {}), ...(opts.now ? { now: opts.now } : {}) },
      );
      await updateSummary(registryDir, changed);
      return {
        changed: changed.map((p) => p.plugin_id),
        published: { snapshotVersion: r.snapshotVersion, timestampVersion: r.timestampVersion, bins: r.bins },
      };
    },
  };
}

/**
 * Replace (or add, in id order) the summary lines of `plugins` in the sharded registry.json. The summary holds
 * one entry a line (writeSummaryEntries), so this is a text edit: at 100k plugins, parsing and re-serializing
 * 28 MB would cost more than the whole signed publish.
 */
export async function updateSummary(registryDir: string, plugins: RegistryPlugin[]): Promise<void> {
  const text = await readFile(registryPath(registryDir), 'utf8');
  const start = text.indexOf('"plugins": [\n');
  const end = text.lastIndexOf('\n  ]\n}');
  if (start < 0 || end < start) return; // not a summary this code wrote: the next full publish rewrites it
  const bodyStart = start + '"plugins": [\n'.length;
  const lines = text
    .slice(bodyStart, end)
    .split(',\n')
    .filter((l) => l.length > 0);
  const idOf = (line: string) => /^ {4}\{"plugin_id":"([^"]+)"/.exec(line)?.[1] ?? '';
  for (const p of plugins) {
    const line = `    ${JSON.stringify(summaryEntry(p))}`;
    // Ids are sorted, as listPluginIds gives them: binary search for the place.
    let lo = 0;
    let hi = lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (idOf(lines[mid] as string) < p.plugin_id) lo = mid + 1;
      else hi = mid;
    }
    if (lo < lines.length && idOf(lines[lo] as string) === p.plugin_id) lines[lo] = line;
    else lines.splice(lo, 0, line);
  }
  await writeFileAtomic(registryPath(registryDir), `${text.slice(0, bodyStart)}${lines.join(',\n')}${text.slice(end)}`);
}
