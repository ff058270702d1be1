import { type LockEntry, type Lockfile, type Release, WharfError } from '@wharf/schemas';
import { type Catalog, type CatalogEntry, type PluginAddress, parseAddress } from '../index/catalog.js';
import { satisfies } from './plain-version.js';
import { matchingReleases, resolveRelease } from './resolve-version.js';

/** One plugin the plan will place, in dependency order (dependencies first). */
export interface PlannedStep {
  entry: CatalogEntry;
  release: Release;
  prev?: LockEntry;
  reason: 'requested' | 'dependency';
  /** Who asked for it and with which range: "you" or "<address>@<version>". */
  requiredBy: Array<{ by: string; range: string }>;
}

interface Node {
  entry: CatalogEntry;
  requested: boolean;
  constraints: Array<{ by: string; range: string }>;
  chosen?: Release;
}

const MAX_PASSES = 32;

/**
 * Resolve the requested plugins and their dependencies with semver. A dependency is looked up in the source
 * of the plugin that needs it (a third-party index can't pull in another source's plugins by surprise).
 * Installed plugins keep their version when it satisfies every requirer; their own requirements count too,
 * so an update can't break a plugin that is already installed.
 */
export function planInstall(catalog: Catalog, lock: Lockfile, requests: PluginAddress[]): PlannedStep[] {
  const fixed = new Map<string, Array<{ by: string; range: string }>>();
  for (const r of requests) {
    const e = catalog.find(r);
    const list = fixed.get(e.address) ?? [];
    list.push({ by: 'you', range: r.range ?? '*' });
    fixed.set(e.address, list);
  }
  const installedNeeds = requirementsOfInstalled(catalog, lock, new Set(fixed.keys()));

  let previous = '';
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const nodes = new Map<string, Node>();
    const queue: string[] = [];
    const touch = (entry: CatalogEntry, c: { by: string; range: string }, requested: boolean) => {
      let n = nodes.get(entry.address);
      if (!n) {
        n = { entry, requested, constraints: [...(installedNeeds.get(entry.address) ?? [])] };
        nodes.set(entry.address, n);
        queue.push(entry.address);
      }
      n.requested ||= requested;
      n.constraints.push(c);
    };
    for (const [addr, cs] of fixed) for (const c of cs) touch(catalog.find(parseAddress(addr)), c, true);
    while (queue.length > 0) {
      const n = nodes.get(queue.shift() as string) as Node;
      n.chosen = choose(n, lock);
      for (const [depId, range] of Object.entries(n.chosen.dependencies ?? {})) {
        touch(depEntry(catalog, n, depId, range), { by: `${n.entry.address}@${n.chosen.version}`, range }, false);
      }
    }
    // Constraints found later in the pass can change earlier choices: repeat until choices stop moving.
    for (const n of nodes.values()) n.chosen = choose(n, lock);
    const signature = [...nodes.values()].map((n) => `${n.entry.address}@${n.chosen?.version}`).join(',');
    if (signature === previous) return order(nodes, lock);
    previous = signature;
  }
  throw new WharfError('E_DEP_CONFLICT', `Dependency resolution did not settle after ${MAX_PASSES} passes.`);
}

function depEntry(catalog: Catalog, n: Node, depId: string, range: string): CatalogEntry {
  try {
    return catalog.find({ alias: n.entry.source, id: depId });
  } catch {
    throw new WharfError(
      'E_DEP_MISSING',
      `${n.entry.address}@${n.chosen?.version} needs ${depId} ${range}, which source "${n.entry.source}" doesn't have.`,
      { plugin: n.entry.address, dependency: depId, range },
    );
  }
}

function choose(n: Node, lock: Lockfile): Release {
  const ranges = n.constraints.map((c) => c.range);
  const prev = lock.plugins[n.entry.address];
  if (!n.requested && prev) {
    // An installed dependency stays put while it satisfies everyone.
    const kept = n.entry.plugin.releases.find((r) => r.version === prev.version && r.artifact.sha256 === prev.sha256);
    if (kept && ranges.every((r) => satisfies(prev.version, r, { includePrerelease: true }))) return kept;
  }
  if (n.constraints.length > 1 && matchingReleases(n.entry.plugin, ranges).filter((r) => !r.yanked).length === 0) {
    const who = n.constraints.map((c) => `${c.by} needs ${c.range}`).join(', ');
    const have = n.entry.plugin.releases.map((r) => r.version).join(', ');
    throw new WharfError(
      'E_DEP_CONFLICT',
      `No version of ${n.entry.address} satisfies every requirer: ${who} (available: ${have}).`,
      { plugin: n.entry.address, requirers: n.constraints },
    );
  }
  return resolveRelease(n.entry.plugin, ranges);
}

/** What each installed plugin (other than the ones being requested) needs from the others. */
function requirementsOfInstalled(
  catalog: Catalog,
  lock: Lockfile,
  requested: Set<string>,
): Map<string, Array<{ by: string; range: string }>> {
  const needs = new Map<string, Array<{ by: string; range: string }>>();
  for (const le of Object.values(lock.plugins)) {
    if (requested.has(le.id)) continue;
    let e: CatalogEntry;
    try {
      e = catalog.find(parseAddress(le.id));
    } catch {
      continue; // its source is gone; nothing to protect against
    }
    const rel = e.plugin.releases.find((r) => r.version === le.version);
    for (const [depId, range] of Object.entries(rel?.dependencies ?? {})) {
      let dep: CatalogEntry;
      try {
        dep = catalog.find({ alias: e.source, id: depId });
      } catch {
        continue;
      }
      const list = needs.get(dep.address) ?? [];
      list.push({ by: `${le.id}@${le.version}`, range });
      needs.set(dep.address, list);
    }
  }
  return needs;
}

/** Dependencies first; a cycle is refused with its path, since no order could load it. */
function order(nodes: Map<string, Node>, lock: Lockfile): PlannedStep[] {
  const out: PlannedStep[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  // Dependencies are named by id within the dependent's source.
  const bySourceId = new Map([...nodes.values()].map((m) => [`${m.entry.source}:${m.entry.plugin.plugin_id}`, m]));
  const visit = (addr: string, path: string[]) => {
    const n = nodes.get(addr) as Node;
    const label = `${addr}@${n.chosen?.version}`;
    if (state.get(addr) === 'done') return;
    if (state.get(addr) === 'visiting') {
      const cycle = [...path.slice(path.findIndex((p) => p.startsWith(`${addr}@`))), label];
      throw new WharfError('E_DEP_CYCLE', `Dependency cycle: ${cycle.join(' → ')}.`, { cycle });
    }
    state.set(addr, 'visiting');
    for (const depId of Object.keys(n.chosen?.dependencies ?? {})) {
      const dep = bySourceId.get(`${n.entry.source}:${depId}`);
      if (dep) visit(dep.entry.address, [...path, label]);
    }
    state.set(addr, 'done');
    const prev = lock.plugins[addr];
    const release = n.chosen as Release;
    const unchanged = prev && prev.version === release.version && prev.sha256 === release.artifact.sha256;
    if (!unchanged || n.requested) {
      out.push({
        entry: n.entry,
        release,
        prev,
        reason: n.requested ? 'requested' : 'dependency',
        requiredBy: n.constraints,
      });
    }
  };
  for (const addr of [...nodes.keys()].sort()) visit(addr, []);
  return out;
}
