import { checkId, normalizeText, type Registry, type RegistryPlugin, WharfError } from '@wharf/schemas';
import { summarizeVersions } from '../registry/add-release.js';

export type LifecycleAction = 'yank' | 'deprecate' | 'remove';

/** "<id>" or "<id>@<version>"; the id is validated before anything else sees it. */
export function parseSpec(spec: string): { id: string; version?: string } {
  const at = spec.indexOf('@');
  const id = at < 0 ? spec : spec.slice(0, at);
  checkId(id);
  return at < 0 ? { id } : { id, version: spec.slice(at + 1) };
}

/**
 * WXAUTO-MGT's update/remove tools, made safe for a signed index: nothing is deleted (clients must see a yank or a
 * removal, and mirror-sync refuses shrinking indexes). `yank id@v` hides one release from resolution, `yank id` all
 * of them; `deprecate id@v` marks a release, `deprecate id` the plugin; `remove id` marks the plugin removed and yanks
 * every release. Pure: returns a new registry.
 */
export function applyLifecycle(
  registry: Registry,
  action: LifecycleAction,
  spec: string,
  reason: string,
  now = new Date(),
): Registry {
  const { id, version } = parseSpec(spec);
  const why = normalizeText(reason.trim(), 'reason');
  if (!why) throw new WharfError('E_USAGE', '--reason must not be empty');
  const plugin = registry.plugins.find((p) => p.plugin_id === id);
  if (!plugin) throw new WharfError('E_NOT_FOUND', `${id} is not in this registry.`);
  if (version !== undefined && !plugin.releases.some((r) => r.version === version))
    throw new WharfError('E_NO_MATCHING_VERSION', `${id} has no release ${version}.`);
  const hits = (v: string) => version === undefined || v === version;
  let releases = plugin.releases;
  let status = plugin.status;
  if (action === 'yank' || action === 'remove') {
    releases = releases.map((r) => (hits(r.version) ? { ...r, yanked: true, yanked_reason: why } : r));
    if (action === 'remove' && version === undefined) status = 'removed';
  } else if (version !== undefined) {
    releases = releases.map((r) => (hits(r.version) ? { ...r, deprecated: why } : r));
  } else status = 'deprecated';
  // With every release yanked there is no live version; the summary keeps naming the last one (the schema needs
  // SemVer there) and the per-release yanked flags tell clients not to install it.
  const summary = summarizeVersions(releases, plugin.versions.minimum_supported);
  const next: RegistryPlugin = {
    ...plugin,
    releases,
    status,
    versions: summary.latest ? summary : plugin.versions,
    updated_at: now.toISOString(),
  };
  return {
    ...registry,
    last_updated: now.toISOString(),
    plugins: registry.plugins.map((p) => (p === plugin ? next : p)),
  };
}
