import type { Lockfile } from '@wharf/schemas';
import { type Catalog, parseAddress } from '../index/catalog.js';
import { type ChangeKind, changeKind } from './change-kind.js';
import { valid } from './plain-version.js';
import { latestRelease } from './resolve-version.js';

export interface OutdatedEntry {
  id: string;
  source: string;
  installed: string;
  latest: string;
  change: ChangeKind;
  /** The installed version was yanked (why, when the index says). */
  yanked?: string;
  deprecated?: string;
}

/** Installed plugins whose index offers a different newest usable version (or that were yanked under them). */
export function findOutdated(catalog: Catalog, lock: Lockfile, only?: string[]): OutdatedEntry[] {
  const out: OutdatedEntry[] = [];
  const wanted = only?.length ? new Set(only.map((s) => catalog.find(parseAddress(s)).address)) : undefined;
  for (const le of Object.values(lock.plugins)) {
    if (wanted && !wanted.has(le.id)) continue;
    let plugin: ReturnType<Catalog['find']>['plugin'];
    try {
      plugin = catalog.find(parseAddress(le.id)).plugin;
    } catch {
      continue; // its source was removed or no longer lists it; `wharf list` still shows it
    }
    // Legacy (WXAUTO-MGT) indexes carry no releases, only versions.latest, which is what that client compares.
    const latestVersion =
      latestRelease(plugin)?.version ?? (plugin.releases.length === 0 ? valid(plugin.versions.latest) : null);
    const mine = plugin.releases.find((r) => r.version === le.version);
    if (!latestVersion || !valid(le.version)) continue;
    const change = changeKind(le.version, latestVersion);
    if (change === 'none' && !mine?.yanked) continue;
    out.push({
      id: le.id,
      source: le.source,
      installed: le.version,
      latest: latestVersion,
      change,
      ...(mine?.yanked ? { yanked: mine.yanked_reason ?? 'yanked' } : {}),
      ...(mine?.deprecated ? { deprecated: mine.deprecated } : {}),
    });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
