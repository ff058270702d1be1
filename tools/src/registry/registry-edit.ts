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
  published?: { snapshotVersion: number; timestampVersion: number; bins: string[]; searchMs?: number };
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
        published: {
          snapshotVersion: r.snapshotVersion,
          timestampVersion: r.timestampVersion,
          bins: r.bins,
          // The search index's share of the publish (DESIGN §9: at most 2 s for everything at 100k).
          ...(r.search ? { searchMs: r.search.ms } : {}),
        },
      };
    },
  };
}

/**
 * Replace (or add, in id order) the summary lines of `plugins` in the sharded registry.json. The summary holds
 * one entry a line (writeSummaryEntries), so this is an edit of bytes: at 100k plugins, decoding, parsing and
 * re-serializing 28 MB would cost more than the whole signed publish. Lines are found with Buffer.indexOf and,
 * for a new plugin, a binary search over the line starts (ids are sorted).
 */
export async function updateSummary(registryDir: string, plugins: RegistryPlugin[]): Promise<void> {
  let buf = await readFile(registryPath(registryDir));
  for (const p of plugins) {
    const open = Buffer.from('"plugins": [\n');
    const start = buf.indexOf(open);
    const end = buf.lastIndexOf(Buffer.from('\n  ]\n}'));
    if (start < 0 || end < start) return; // not a summary this code wrote: the next full publish rewrites it
    const body = start + open.length;
    const line = Buffer.from(`    ${JSON.stringify(summaryEntry(p))}`);
    const prefix = Buffer.from(`    {"plugin_id":${JSON.stringify(p.plugin_id)},`);
    const at = buf.indexOf(prefix, body);
    if (at >= 0 && at < end) {
      const stop = buf.indexOf(0x0a, at);
      const lineEnd = stop < 0 || stop > end ? end : buf[stop - 1] === 0x2c ? stop - 1 : stop;
      buf = Buffer.concat([buf.subarray(0, at), line, buf.subarray(lineEnd)]);
      continue;
    }
    // Line starts of the body, then the first line whose id sorts after this one.
    const starts: number[] = [];
    for (let i = body; i < end; ) {
      starts.push(i);
      const nl = buf.indexOf(0x0a, i);
      if (nl < 0 || nl >= end) break;
      i = nl + 1;
    }
    const idAt = (i: number) => {
      const q = buf.indexOf(0x22, i + 18); // after `    {"plugin_id":"`
      return buf.subarray(i + 18, q).toString();
    };
    let lo = 0;
    let hi = body < end ? starts.length : 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (idAt(starts[mid] as number) < p.plugin_id) lo = mid + 1;
      else hi = mid;
    }
    const parts =
      body >= end
        ? [buf.subarray(0, body), line, buf.subarray(end)]
        : lo < starts.length
          ? [buf.subarray(0, starts[lo]), line, Buffer.from(',\n'), buf.subarray(starts[lo])]
          : [buf.subarray(0, end), Buffer.from(',\n'), line, buf.subarray(end)];
    buf = Buffer.concat(parts);
  }
  await writeFileAtomic(registryPath(registryDir), buf);
}
