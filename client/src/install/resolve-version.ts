import { type RegistryPlugin, type Release, WharfError } from '@wharf/schemas';
import semver from 'semver';

/**
 * Pick the release to install: the highest version satisfying the range that isn't yanked. Prereleases only
 * when the range names one. A yanked version is installable only when pinned exactly and already locked.
 */
export function resolveRelease(plugin: RegistryPlugin, range = '*'): Release {
  if (range !== '*' && !semver.validRange(range)) {
    throw new WharfError('E_USAGE', `"${range}" is not a SemVer range (try ^1, ~1.2 or 1.2.3).`);
  }
  const matching = plugin.releases.filter((r) =>
    semver.satisfies(r.version, range, { includePrerelease: semver.prerelease(range) !== null }),
  );
  const usable = matching.filter((r) => !r.yanked);
  const best = semver.maxSatisfying(
    usable.map((r) => r.version),
    range,
  );
  if (best) return usable.find((r) => r.version === best) as Release;
  if (matching.length > 0) {
    const y = matching[0] as Release;
    throw new WharfError(
      'E_YANKED',
      `${plugin.plugin_id}@${y.version} was yanked${y.yanked_reason ? `: ${y.yanked_reason}` : ''}; no other version matches ${range}.`,
    );
  }
  const have = plugin.releases.map((r) => r.version).join(', ') || 'none';
  throw new WharfError(
    'E_NO_MATCHING_VERSION',
    `No version of ${plugin.plugin_id} matches ${range} (available: ${have}).`,
  );
}
