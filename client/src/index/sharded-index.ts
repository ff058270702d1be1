import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isValidId, type Registry, type RegistryPlugin, WharfError } from '@wharf/schemas';
import type { Updater } from 'tuf-js';
import { utf8Text } from '../fs/utf8-text.js';

/**
 * The client half of the sharded layout (DESIGN §3 "At scale"; the publisher is tools/src/tuf/sharded-publish.ts).
 * Top-level targets signs `registry-head.json` and delegates `plugins/<id>.json` by TAP 15 succinct hash bins,
 * which tuf-js 5 walks itself (Updater.getTargetInfo → SuccinctRoles.getRoleForTarget): each bin and each
 * plugin file passes the same signature, version, expiry, length and hash checks as the monolithic target, and
 * goes through the same hedging fetcher, so failover and the stale rules hold file by file.
 */
export const HEAD_TARGET = 'registry-head.json';
/** One plugin's entry with its whole release history: generous, and still a small fraction of the old index. */
export const MAX_PLUGIN_FILE_BYTES = 2 * 1024 * 1024;
/** Dependencies are fetched transitively, bounded like everything read from outside. */
const MAX_PLUGINS_PER_REFRESH = 4096;
/** Bin role files tuf-js persists in the metadata dir, to be committed with the rest of the trusted set. */
export const BIN_FILE = /^bins-[0-9a-f]{1,4}\.json$/;

/** Whether the verified top-level targets.json in `metadataDir` delegates by succinct hash bins. */
export function isShardedTargets(metadataDir: string): boolean {
  const md = JSON.parse(readFileSync(join(metadataDir, 'targets.json'), 'utf8')) as {
    signed?: { delegations?: { succinct_roles?: unknown } };
  };
  return md.signed?.delegations?.succinct_roles !== undefined;
}

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** The bytes the publisher signed for a plugin entry (compact JSON, one line): a cached entry is reused when equal. */
const entryBytes = (x: unknown) => `${JSON.stringify(x)}\n`;

/** sha256 of the signed bytes of a head or plugin entry, to compare with its target's hash. */
export const signedEntrySha256 = (x: unknown): string => sha256(entryBytes(x));

function dependencyIds(p: RegistryPlugin): string[] {
  return p.releases.flatMap((r) => Object.keys(r.dependencies ?? {}));
}

/**
 * Load the head and the plugin files for `wanted` (plus their dependencies) through `updater`, which has
 * refreshed. Entries of `cached` whose hash equals the signed target are reused without a download. Ids the
 * registry does not sign are left out: the catalog then says E_NOT_FOUND, as for a monolithic index.
 */
export async function loadShardedRegistry(
  updater: Updater,
  stageTargets: string,
  wanted: string[],
  cached: Registry | undefined,
  mirror: string,
): Promise<Registry> {
  const headInfo = await updater.getTargetInfo(HEAD_TARGET);
  if (!headInfo) throw new WharfError('E_NOT_FOUND', `${mirror} signs no ${HEAD_TARGET}.`, { reason: 'error' });
  let head: Omit<Registry, 'plugins'> | undefined;
  if (cached) {
    const { plugins: _p, ...h } = cached;
    if (signedEntrySha256(h) === headInfo.hashes.sha256) head = h;
  }
  if (!head) {
    const file = await updater.downloadTarget(headInfo, join(stageTargets, HEAD_TARGET));
    head = parseJson(readFileSync(file), HEAD_TARGET, mirror) as Omit<Registry, 'plugins'>;
  }
  const old = new Map((cached?.plugins ?? []).map((p) => [p.plugin_id, p]));
  const plugins = new Map<string, RegistryPlugin>();
  const queue = [...new Set(wanted)].filter(isValidId);
  const seen = new Set(queue);
  while (queue.length > 0) {
    if (plugins.size >= MAX_PLUGINS_PER_REFRESH)
      throw new WharfError('E_TOO_LARGE', `more than ${MAX_PLUGINS_PER_REFRESH} plugin files in one refresh`, {
        reason: 'too large',
      });
    const id = queue.shift() as string;
    const info = await updater.getTargetInfo(`plugins/${id}.json`);
    if (!info) continue;
    if (info.length > MAX_PLUGIN_FILE_BYTES)
      throw new WharfError('E_TOO_LARGE', `plugins/${id}.json is ${info.length} bytes.`, { reason: 'too large' });
    const prev = old.get(id);
    let entry: RegistryPlugin;
    if (prev && signedEntrySha256(prev) === info.hashes.sha256) entry = prev;
    else {
      const file = await updater.downloadTarget(info, join(stageTargets, `plugin.${id}.json`));
      entry = parseJson(readFileSync(file), `plugins/${id}.json`, mirror) as RegistryPlugin;
    }
    // Signed under this path, so it must be this plugin: a bin cannot lend one plugin's entry to another id.
    if (entry?.plugin_id !== id)
      throw new WharfError('E_SCHEMA', `plugins/${id}.json from ${mirror} describes another plugin.`, {
        reason: 'error',
      });
    plugins.set(id, entry);
    for (const dep of dependencyIds(entry))
      if (isValidId(dep) && !seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
  }
  return { ...head, plugins: [...plugins.values()].sort((a, b) => a.plugin_id.localeCompare(b.plugin_id)) };
}

function parseJson(bytes: Buffer, what: string, mirror: string): unknown {
  try {
    return JSON.parse(utf8Text(bytes));
  } catch {
    throw new WharfError('E_SCHEMA', `The signed ${what} from ${mirror} is not JSON.`, { reason: 'not JSON' });
  }
}
