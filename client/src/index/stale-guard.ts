import { isWharfError, WharfError } from '@wharf/schemas';
import { formatAge } from '../cli/output.js';
import type { Catalog, PluginAddress } from './catalog.js';
import { ageOf } from './index-cache.js';

/**
 * An index whose last refresh failed on every mirror may be hiding a yank or a fix, so installing from it
 * is allowed only for bytes already in the artifact cache (they were pinned by a verified index before).
 * Runs `install` offline when any requested plugin comes from a stale index, and names the reason.
 */
export async function guardStaleInstall<T>(
  catalog: Catalog,
  addrs: PluginAddress[],
  offline: boolean | undefined,
  install: (offline: boolean | undefined) => Promise<T>,
): Promise<T> {
  const stale = addrs.map((a) => catalog.find(a).snapshot).find((s) => s.stale);
  if (!stale || offline) return install(offline);
  try {
    return await install(true);
  } catch (e) {
    if (isWharfError(e) && e.code === 'E_NOT_FOUND' && /cache/.test(e.message)) {
      throw new WharfError(
        'E_INDEX_STALE',
        `The index of source "${stale.alias}" is stale: its last refresh failed on every mirror (${stale.staleReason ?? 'unknown'}), and the last verified copy is ${formatAge(ageOf(stale))} old. Only plugins already downloaded can be installed until \`wharf refresh\` succeeds.`,
        { source: stale.alias, age_ms: ageOf(stale) },
      );
    }
    throw e;
  }
}
