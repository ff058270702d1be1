import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '@wharf/schemas';
import { readMetadataState, readTimestamp } from './metadata-state.js';
import { Metadata, MetadataKind, type Root, type Snapshot, type Targets, type Timestamp } from './models.js';
import { metadataDir } from './sign-metadata.js';

export interface RoleExpiry {
  role: 'root' | 'targets' | 'snapshot' | 'timestamp' | 'bins';
  version: number;
  file: string;
  expires: string;
  /** Milliseconds from `now` to `expires` (negative once expired). */
  remaining_ms: number;
  /** role 'bins' (a sharded registry): this row is the bin that expires first, `name`, of `count` bins. */
  name?: string;
  count?: number;
}

export interface ExpiryReport {
  now: string;
  within_ms: number;
  /**
   * The metadata a client reads now: timestamp.json and the versions it (and the snapshot) point at; on a
   * sharded registry also the hash bins, as the one that expires first (every bin is checked).
   */
  roles: RoleExpiry[];
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `2d`, `36h`, `90m` → milliseconds (E_USAGE otherwise). */
export function parseWithin(text: string): number {
  const m = /^(\d+)([dhm])$/.exec(text.trim());
  if (!m) throw new WharfError('E_USAGE', `--within takes a duration like 2d, 36h or 90m, got ${JSON.stringify(text)}`);
  return Number(m[1]) * (UNITS[m[2] as string] as number);
}

/** Reads and parses one metadata file; `parse` is Metadata.fromJSON for the expected role. */
async function load<T>(dir: string, file: string, parse: (data: never) => T): Promise<T> {
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch (e) {
    throw new WharfError('E_IO', `cannot read metadata/${file}: ${(e as Error).message}`, { file });
  }
  try {
    return parse(JSON.parse(text) as never);
  } catch (e) {
    throw new WharfError('E_SCHEMA', `metadata/${file} is not valid TUF metadata: ${(e as Error).message}`, { file });
  }
}

/**
 * Reads the metadata a client would fetch now (the newest root, timestamp.json, the snapshot it names and the
 * targets that snapshot names), checks each signature against the root, and reports how long each has left. It
 * only reads: the scheduled monitor runs it where no key is present.
 */
export async function readExpiry(registryDir: string, now = new Date(), withinMs = 0): Promise<ExpiryReport> {
  const dir = metadataDir(registryDir);
  const state = await readMetadataState(registryDir);
  const timestamp = await readTimestamp(registryDir);
  const snapFile = `${timestamp.signed.snapshotMeta.version}.snapshot.json`;
  const snapshot = await load(dir, snapFile, (d) => Metadata.fromJSON(MetadataKind.Snapshot, d));
  const targetsVersion = snapshot.signed.meta['targets.json']?.version;
  if (targetsVersion === undefined) throw new WharfError('E_SCHEMA', `metadata/${snapFile} names no targets.json`);
  const targetsFile = `${targetsVersion}.targets.json`;
  const targets = await load(dir, targetsFile, (d) => Metadata.fromJSON(MetadataKind.Targets, d));
  for (const [role, md] of [
    ['timestamp', timestamp],
    ['snapshot', snapshot],
    ['targets', targets],
  ] as const) {
    try {
      state.root.verifyDelegate(role, md);
    } catch (e) {
      throw new WharfError(
        'E_INDEX_SIGNATURE',
        `${role} metadata is not signed by a key root v${state.rootVersion} trusts: ${(e as Error).message}`,
        { role },
      );
    }
  }
  const bins = await readBins(dir, targets, snapshot, snapFile);
  const entry = (
    role: RoleExpiry['role'],
    md: Metadata<Root | Targets | Snapshot | Timestamp>,
    file: string,
  ): RoleExpiry => ({
    role,
    version: md.signed.version,
    file,
    expires: md.signed.expires,
    remaining_ms: Date.parse(md.signed.expires) - now.getTime(),
  });
  return {
    now: now.toISOString(),
    within_ms: withinMs,
    roles: [
      entry('timestamp', timestamp, 'timestamp.json'),
      entry('snapshot', snapshot, snapFile),
      entry('targets', targets, targetsFile),
      ...(bins.first
        ? [{ ...entry('bins', bins.first.md, bins.first.file), name: bins.first.name, count: bins.count }]
        : []),
      entry('root', state.root, `${state.rootVersion}.root.json`),
    ],
  };
}

/**
 * The hash bins the top-level targets delegates to (TAP 15 succinct roles), each at the version the snapshot
 * names and checked against the delegation's key; the one that expires first. None on a monolithic registry.
 */
async function readBins(
  dir: string,
  targets: Metadata<Targets>,
  snapshot: Metadata<Snapshot>,
  snapFile: string,
): Promise<{ count: number; first?: { name: string; file: string; md: Metadata<Targets> } }> {
  const roles = targets.signed.delegations?.succinctRoles;
  if (!roles) return { count: 0 };
  let count = 0;
  let first: { name: string; file: string; md: Metadata<Targets> } | undefined;
  for (const name of roles.getRoles()) {
    const version = snapshot.signed.meta[`${name}.json`]?.version;
    if (version === undefined) throw new WharfError('E_SCHEMA', `metadata/${snapFile} names no ${name}.json`);
    const file = `${version}.${name}.json`;
    const md = await load(dir, file, (d) => Metadata.fromJSON(MetadataKind.Targets, d));
    try {
      targets.verifyDelegate(name, md);
    } catch (e) {
      throw new WharfError(
        'E_INDEX_SIGNATURE',
        `${name} metadata is not signed by the key targets v${targets.signed.version} delegates to: ${(e as Error).message}`,
        { role: name },
      );
    }
    count += 1;
    if (!first || Date.parse(md.signed.expires) < Date.parse(first.md.signed.expires)) first = { name, file, md };
  }
  return { count, first };
}

/**
 * `wharf-admin check-expiry`: E_INDEX_EXPIRED when a role has expired, E_INDEX_EXPIRING when one expires within
 * `withinMs`, so a stopped daily re-sign fails the scheduled monitor days before clients refuse the index.
 */
export async function checkExpiry(registryDir: string, opts: { withinMs: number; now?: Date }): Promise<ExpiryReport> {
  const report = await readExpiry(registryDir, opts.now ?? new Date(), opts.withinMs);
  assessExpiry(report);
  return report;
}

/** Throws the refusal `report` calls for, if any. */
export function assessExpiry(report: ExpiryReport): void {
  const expired = report.roles.filter((r) => r.remaining_ms <= 0);
  const soon = report.roles.filter((r) => r.remaining_ms > 0 && r.remaining_ms < report.within_ms);
  const list = (rs: RoleExpiry[]) => rs.map((r) => `${r.name ?? r.role} v${r.version} (${r.expires})`).join(', ');
  if (expired.length > 0)
    throw new WharfError(
      'E_INDEX_EXPIRED',
      `expired: ${list(expired)}; clients refuse this index until it is re-signed.`,
      {
        roles: expired.map((r) => r.role),
      },
    );
  if (soon.length > 0)
    throw new WharfError(
      'E_INDEX_EXPIRING',
      `expires within ${formatDuration(report.within_ms)}: ${list(soon)}; re-sign it (wharf-admin resign-timestamp, or publish).`,
      { roles: soon.map((r) => r.role) },
    );
}

export function formatDuration(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 48
    ? `${+(h / 24).toFixed(1)} days`
    : h >= 1
      ? `${+h.toFixed(1)} hours`
      : `${Math.round(ms / 60_000)} minutes`;
}
