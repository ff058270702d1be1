import { type RegistryPlugin, type Release, WharfError } from '@wharf/schemas';
import validRange from 'semver/ranges/valid.js';
import { gt, isPrerelease, satisfies } from './plain-version.js';

/**
 * Pick the release to install: the highest version satisfying every range that isn't yanked, preferring
 * versions that aren't deprecated. Prereleases only when a range names one.
 */
export function resolveRelease(plugin: RegistryPlugin, ranges: string | string[] = '*'): Release {
  const list = (Array.isArray(ranges) ? ranges : [ranges]).map((r) => r || '*');
  for (const r of list) {
    if (r !== '*' && !validRange(r)) {
      throw new WharfError('E_USAGE', `"${r}" is not a SemVer range (try ^1, ~1.2 or 1.2.3).`);
    }
  }
  const matching = matchingReleases(plugin, list);
  const usable = matching.filter((r) => !r.yanked);
  const best = highest(usable.filter((r) => !r.deprecated)) ?? highest(usable);
  if (best) return best;
  const shown = list.join(' and ');
  if (matching.length > 0) {
    const y = matching[0] as Release;
    throw new WharfError(
      'E_YANKED',
      `${plugin.plugin_id}@${y.version} was yanked${y.yanked_reason ? `: ${y.yanked_reason}` : ''}; no other version matches ${shown}.`,
    );
  }
  const have = plugin.releases.map((r) => r.version).join(', ') || 'none';
  throw new WharfError(
    'E_NO_MATCHING_VERSION',
    `No version of ${plugin.plugin_id} matches ${shown} (available: ${have}).`,
  );
}

export function matchingReleases(plugin: RegistryPlugin, ranges: string[]): Release[] {
  return plugin.releases.filter((r) =>
    ranges.every((range) => satisfies(r.version, range, { includePrerelease: isPrerelease(range) })),
  );
}

function highest(releases: Release[]): Release | undefined {
  return releases.reduce<Release | undefined>((a, b) => (!a || gt(b.version, a.version) ? b : a), undefined);
}

/** The newest release anyone should move to: not yanked, not a prerelease, not deprecated when avoidable. */
export function latestRelease(plugin: RegistryPlugin): Release | undefined {
  const usable = plugin.releases.filter((r) => !r.yanked && !isPrerelease(r.version));
  return highest(usable.filter((r) => !r.deprecated)) ?? highest(usable);
}
