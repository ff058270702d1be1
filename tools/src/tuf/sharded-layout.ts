import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '@wharf/schemas';
import { readMetadataState } from './metadata-state.js';
import { type Key, Metadata, MetadataKind, Targets } from './models.js';
import { metadataDir } from './sign-metadata.js';

/**
 * The sharded layout (DESIGN §3 "At scale"): top-level targets.json signs one small target, `registry-head.json`
 * (name and categories), and delegates everything else by TAP 15 succinct hash bins to `bins-<hex>`. Each bin
 * lists the per-plugin target files `plugins/<id>.json` that hash into it. Snapshot lists targets.json and every
 * bin (version only, to keep it small); a publish of one plugin changes that plugin's file, its bin, the
 * snapshot and the timestamp.
 */
export const BIN_PREFIX = 'bins';
export const HEAD_TARGET = 'registry-head.json';
/** Below this many plugins one monolithic registry.json is cheaper for everyone (DESIGN §9). */
export const SHARD_THRESHOLD = 2000;

export function pluginTarget(id: string): string {
  return `plugins/${id}.json`;
}

/**
 * Enough bins that each holds about 200 plugins: at 100k, 512 bins near 30 KB each and a 15 KB snapshot. More bins
 * would shrink each bin but grow the snapshot every refresh downloads (and tuf-js parses snapshot meta in time
 * quadratic in its entries).
 */
export function bitLengthFor(pluginCount: number): number {
  let bits = 4;
  while (bits < 16 && 2 ** bits * 200 < pluginCount) bits += 1;
  return bits;
}

/** @tufjs/models 4.1 implements TAP 15 (SuccinctRoles) but its index exports neither it nor Delegations. */
export type SuccinctRoles = NonNullable<NonNullable<Targets['delegations']>['succinctRoles']>;

/**
 * A top-level targets that signs nothing yet and delegates every path to 2^bitLength bins signed by `binsKey`.
 * Built through Targets.fromJSON, the one public way to reach the package's Delegations and SuccinctRoles.
 */
export function delegatingTargets(opts: {
  version: number;
  expires: string;
  bitLength: number;
  binsKey: Key;
}): Targets {
  return Targets.fromJSON({
    _type: 'targets',
    spec_version: '1.0.31',
    version: opts.version,
    expires: opts.expires,
    targets: {},
    delegations: {
      keys: { [opts.binsKey.keyID]: opts.binsKey.toJSON() },
      succinct_roles: {
        keyids: [opts.binsKey.keyID],
        threshold: 1,
        bit_length: opts.bitLength,
        name_prefix: BIN_PREFIX,
      },
    },
  });
}

export function succinctRolesFor(bitLength: number, binsKey: Key): SuccinctRoles {
  const t = delegatingTargets({ version: 1, expires: '2000-01-01T00:00:00Z', bitLength, binsKey });
  return t.delegations?.succinctRoles as SuccinctRoles;
}

/** The bin a plugin's target file hashes into, exactly as tuf-js computes it when it walks the delegation. */
export function binOf(roles: SuccinctRoles, id: string): string {
  return roles.getRoleForTarget(pluginTarget(id));
}

export interface ShardedState {
  targetsVersion: number;
  targets: Metadata<Targets>;
  roles: SuccinctRoles;
}

/** The newest top-level targets when it delegates by succinct hash bins; undefined for a monolithic registry. */
export async function readShardedState(registryDir: string): Promise<ShardedState | undefined> {
  const state = await readMetadataState(registryDir);
  if (state.targetsVersion === 0) return undefined;
  const text = await readFile(join(metadataDir(registryDir), `${state.targetsVersion}.targets.json`), 'utf8');
  let targets: Metadata<Targets>;
  try {
    targets = Metadata.fromJSON(MetadataKind.Targets, JSON.parse(text) as never);
  } catch (e) {
    throw new WharfError('E_SCHEMA', `metadata/${state.targetsVersion}.targets.json: ${(e as Error).message}`);
  }
  const roles = targets.signed.delegations?.succinctRoles;
  return roles ? { targetsVersion: state.targetsVersion, targets, roles } : undefined;
}
