import { join } from 'node:path';
import type { Registry } from '@wharf/schemas';
import { commitAndPush, type MirrorPush, pushMirror } from '../publish-bot/git-publish.js';
import { openRegistryEdit } from '../registry/registry-edit.js';
import { isShardedRegistry, readFullRegistry } from '../registry/sharded-store.js';
import { loadRoleKey } from '../tuf/keys.js';
import { type CollectOptions, type CollectResult, collectStats, type PluginCounts } from './collect-stats.js';

export interface StatsChange {
  plugin_id: string;
  before: { downloads: number; stars: number };
  after: { downloads: number; stars: number };
}

/**
 * Writes the counted numbers into `registry` (pure). Only numbers that differ change a plugin, and only its
 * `stats` (with `stats.updated_at`): the plugin's `updated_at` and the registry's `last_updated` describe the
 * catalog's content, which a download does not change. Plugins missing from `counts` (not counted, failed, or
 * added by a concurrent publish since) are left as they are.
 */
export function applyStats(
  registry: Registry,
  counts: Map<string, PluginCounts>,
  now: Date,
): { registry: Registry; changes: StatsChange[] } {
  const changes: StatsChange[] = [];
  const plugins = registry.plugins.map((p) => {
    const c = counts.get(p.plugin_id);
    if (!c || (c.downloads === p.stats.downloads && c.stars === p.stats.stars)) return p;
    changes.push({
      plugin_id: p.plugin_id,
      before: { downloads: p.stats.downloads, stars: p.stats.stars },
      after: { downloads: c.downloads, stars: c.stars },
    });
    return { ...p, stats: { ...p.stats, downloads: c.downloads, stars: c.stars, updated_at: now.toISOString() } };
  });
  return { registry: changes.length ? { ...registry, plugins } : registry, changes };
}

export interface StatsRunResult extends Omit<CollectResult, 'counts'> {
  counted: number;
  changes: StatsChange[];
  dry_run: boolean;
  /** Git mode: the commit that landed (none when nothing changed) and the attempts it took. */
  commit?: string;
  attempts?: number;
  mirror?: MirrorPush;
  /** Local mode: whether the registry was re-signed. */
  signed?: boolean;
}

export interface StatsOptions extends CollectOptions {
  keysDir: string;
  dryRun?: boolean;
  now?: Date;
}

/** Monolithic registries are re-signed whole (targets); sharded ones sign only the touched plugins' bins. */
async function preflightKeys(registryDir: string, keysDir: string): Promise<void> {
  const roles = (await isShardedRegistry(registryDir))
    ? (['bins', 'snapshot', 'timestamp'] as const)
    : (['targets', 'snapshot', 'timestamp'] as const);
  for (const r of roles) await loadRoleKey(keysDir, r);
}

/**
 * `wharf-admin stats --registry <dir>`: count, then write and re-sign the registry in place. The keys are loaded
 * before anything is written, so a missing key refuses with the registry as it was.
 */
export async function updateStatsLocal(registryDir: string, opts: StatsOptions): Promise<StatsRunResult> {
  const now = opts.now ?? new Date();
  const full = await readFullRegistry(registryDir);
  if (!opts.dryRun) await preflightKeys(registryDir, opts.keysDir);
  const { counts, ...rest } = await collectStats(full.plugins, opts);
  const edit = await openRegistryEdit(registryDir, [...counts.keys()]);
  const { registry, changes } = applyStats(edit.registry, counts, now);
  const out: StatsRunResult = { ...rest, counted: counts.size, changes, dry_run: Boolean(opts.dryRun) };
  if (opts.dryRun || changes.length === 0) return out;
  await edit.save(registry, { sign: true, keysDir: opts.keysDir, now });
  return { ...out, signed: true };
}

export interface StatsGitOptions extends StatsOptions {
  /** A clone of the marketplace repo with `origin` (GitHub) and optionally the mirror remote. */
  workdir: string;
  registrySubdir?: string;
  branch?: string;
  mirrorRemote?: string | null;
  maxAttempts?: number;
}

/**
 * `wharf-admin stats --workdir <clone>`: the publish path approvals take. The numbers are counted from the
 * registry as checked out; then commitAndPush re-applies them to a fresh origin/branch each attempt and re-signs
 * (so a concurrent approval's plugin, or its new release, survives a lost race and the stats land on top), commits
 * only when a number changed, pushes GitHub, then the mirror.
 */
export async function publishStats(opts: StatsGitOptions): Promise<StatsRunResult> {
  const now = opts.now ?? new Date();
  const subdir = opts.registrySubdir ?? 'registry';
  const branch = opts.branch ?? 'main';
  const registryDir = join(opts.workdir, subdir);
  const full = await readFullRegistry(registryDir);
  if (!opts.dryRun) await preflightKeys(registryDir, opts.keysDir);
  const { counts, ...rest } = await collectStats(full.plugins, opts);
  const out: StatsRunResult = { ...rest, counted: counts.size, changes: [], dry_run: Boolean(opts.dryRun) };
  if (opts.dryRun) {
    out.changes = applyStats(full, counts, now).changes;
    return out;
  }
  const pushed = await commitAndPush({
    workdir: opts.workdir,
    branch,
    paths: [subdir],
    ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
    apply: async () => {
      const edit = await openRegistryEdit(registryDir, [...counts.keys()]);
      const { registry, changes } = applyStats(edit.registry, counts, now);
      out.changes = changes;
      if (changes.length === 0) return undefined;
      await edit.save(registry, { sign: true, keysDir: opts.keysDir, now });
      return `registry: stats for ${changes.length} plugin(s)`;
    },
  });
  out.attempts = pushed.attempts;
  if (pushed.commit) {
    out.commit = pushed.commit;
    if (opts.mirrorRemote !== null) out.mirror = await pushMirror(opts.workdir, opts.mirrorRemote ?? 'gitee', branch);
  }
  return out;
}
