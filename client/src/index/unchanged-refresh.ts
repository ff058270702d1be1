import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Metadata, Root, Snapshot, Targets } from '@tufjs/models';
import { readStamped } from '../fs/file-stamp.js';
import { utf8Text } from '../fs/utf8-text.js';
import { TRUSTED_FILES } from '../sources/root-trust.js';
import type { IndexSnapshot, StampedIndex } from './index-cache.js';
import { HEAD_TARGET, signedEntrySha256 } from './sharded-index.js';
import { recordHolds, recordOf, type TrustRecord } from './trust-record.js';
import type { MirrorFetcher } from './tuf-fetcher.js';

/** tuf-js's own caps for these two files (its config defaults), so the answers fetched ahead serve it as they are. */
const MAX_TIMESTAMP_BYTES = 16_384;
const MAX_ROOT_BYTES = 512_000;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const json = (b: Buffer) => JSON.parse(utf8Text(b)) as never;

/** What the caller read already: the record of the last full check, if any, and the trusted timestamp. */
export interface TrustedReads {
  record?: TrustRecord;
  timestamp: { bytes: Buffer; stamp: string | undefined };
}

/**
 * The no-change refresh without tuf-js's Updater (issue 11: a no-change refresh at 100k plugins within 1.5×
 * `node -e 0`). tuf-js re-parses and re-verifies the trusted snapshot on every refresh, and at 512 hashed bins
 * that alone is ~35 ms. When a mirror serves a timestamp byte-identical to the trusted one and no next root,
 * nothing the Updater would fetch can differ, so this checks the trusted set itself and returns the cache:
 * - the trusted root signed by itself and not expired; the timestamp's signature against it, and its expiry;
 * - the snapshot by the sha256 and length that timestamp signs (in place of its signature), and its expiry;
 * - targets.json's signature against the root, its version in the snapshot, and its expiry;
 * - for a sharded source, each bin the cached plugins fall in: signature (the delegation's key), version, expiry;
 * - the cache: the signed hash of registry.json (monolithic), or of the head and every cached plugin file.
 * A check that passes returns a record of it (trust-record.ts); while every file it read keeps its stamp, the next
 * no-change refresh checks only the record's expiry and the cache's stamp, hash and version against it.
 * Anything else — a new timestamp, a next root, a failed or missing check, plugins the cache lacks — returns
 * undefined, and the caller takes the full Updater path, which reports it (an expired freeze included).
 */
export async function unchangedSnapshot(
  metaDir: string,
  fetcher: MirrorFetcher,
  readCached: (vouched?: string) => StampedIndex | undefined,
  wanted: string[],
  reads: TrustedReads,
  now = new Date(),
): Promise<{ snapshot: IndexSnapshot; record?: TrustRecord } | undefined> {
  const file = (f: string) => join(metaDir, f);
  if (!TRUSTED_FILES.every((f) => existsSync(file(f)))) return undefined;
  try {
    const { record, timestamp } = reads;
    const made = recordOf(record, timestamp);
    const vouched = made && recordHolds(made, metaDir, now) ? made : undefined;
    const rootRead = vouched ? undefined : readStamped(file('root.json'));
    const version = vouched
      ? vouched.rootVersion
      : (json(rootRead?.bytes as Buffer) as { signed?: { version?: unknown } }).signed?.version;
    if (!Number.isSafeInteger(version) || (version as number) < 1) return undefined;
    const base = fetcher.base;
    // The mirror is asked first and the trusted set checked while it answers. One file after the other, in tuf-js's
    // order (a mirror that loses the first race is not asked the second time); both answers are kept for the Updater
    // (which also takes them when the cache turns out not to be usable).
    const noNextRoot = fetcher.fetchAhead(`${base}/metadata/${(version as number) + 1}.root.json`, MAX_ROOT_BYTES).then(
      () => false,
      (e: unknown) => Boolean((e as { statusCode?: number }).statusCode),
    );
    const answers = noNextRoot
      .then((none) => (none ? fetcher.fetchAhead(`${base}/metadata/timestamp.json`, MAX_TIMESTAMP_BYTES) : undefined))
      .catch(() => undefined);
    // Let the request reach its socket before the synchronous checks below hold the thread.
    await new Promise((ok) => setImmediate(ok));
    const unchanged = async (snapshot: IndexSnapshot, next?: TrustRecord) => {
      // No answer: a next root exists, or the mirror failed (the Updater's run reports which).
      const ts = await answers;
      return ts?.equals(timestamp.bytes) ? { snapshot, ...(next ? { record: next } : {}) } : undefined;
    };
    if (vouched) {
      const c = readCached(vouched.cache.stamp);
      if (
        c &&
        !c.snap.stale &&
        c.stamp === vouched.cache.stamp &&
        c.snap.sha256 === vouched.cache.sha256 &&
        c.snap.targetsVersion === vouched.cache.targetsVersion
      ) {
        if (!wantedCached(c.snap, wanted) || !(await noNextRoot.catch(() => false))) return undefined;
        return unchanged(c.snap);
      }
    }
    // The full check: without a record that holds, or when the cache moved since it was made.
    const cached = readCached();
    if (!cached || cached.snap.stale) return undefined;
    // Loaded only here: a check that a record vouches for needs none of them.
    const [{ Metadata, MetadataKind }, { linearTufMaps }] = await Promise.all([
      import('@tufjs/models'),
      import('./tuf-linear-maps.js'),
    ]);
    linearTufMaps(); // the bins below are Targets with hundreds of entries each
    const rootBytes = rootRead ?? readStamped(file('root.json'));
    const root = (() => {
      const r = Metadata.fromJSON(MetadataKind.Root, json(rootBytes.bytes)) as Metadata<Root>;
      // As tuf-js loads it: signed by itself, and not expired.
      r.verifyDelegate('root', r);
      return r.signed.isExpired(now) ? undefined : r;
    })();
    if (!root) return undefined;
    // The rest of the trusted set is checked while the timestamp is on its way: the root probe's answer is taken
    // first (its handler sends the timestamp request), then the thread is given up once so the request goes out.
    if (!(await noNextRoot.catch(() => false))) return undefined;
    await new Promise((ok) => setImmediate(ok));
    const checked = (() => {
      try {
        return trustedSetUnchanged({ Metadata, MetadataKind }, file, root, timestamp, cached.snap, wanted, now);
      } catch {
        return undefined;
      }
    })();
    if (!checked) return undefined;
    const stamps = { 'root.json': rootBytes.stamp, ...checked.stamps };
    const all = Object.values(stamps).every((s) => s !== undefined) && cached.stamp !== undefined;
    const next: TrustRecord | undefined = all
      ? {
          v: 1,
          files: stamps as Record<string, string>,
          cache: {
            stamp: cached.stamp as string,
            sha256: cached.snap.sha256,
            targetsVersion: cached.snap.targetsVersion,
          },
          rootVersion: root.signed.version,
          timestampSha256: sha256(timestamp.bytes),
          expires: earliest([root.signed.expires, ...checked.expires]),
        }
      : undefined;
    return unchanged(cached.snap, next);
  } catch {
    // Whatever failed here, the Updater's own run decides it and says why.
    return undefined;
  }
}

/** A sharded cache must hold every plugin asked for; a monolithic one holds them all. */
function wantedCached(snap: IndexSnapshot, wanted: string[]): boolean {
  if (!snap.sharded || wanted.length === 0) return true;
  const have = new Set(snap.registry.plugins.map((p) => p.plugin_id));
  return wanted.every((id) => have.has(id));
}

const earliest = (dates: string[]) =>
  dates.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a), dates[0] as string);

type Models = Pick<typeof import('@tufjs/models'), 'Metadata' | 'MetadataKind'>;

/**
 * The local half: the trusted timestamp, snapshot, targets and bins as they lie, against the verified root, and the
 * cache against them. Returns the stamps of the files it read and their expiries, or undefined.
 */
function trustedSetUnchanged(
  { Metadata, MetadataKind }: Models,
  file: (f: string) => string,
  root: Metadata<Root>,
  timestamp: TrustedReads['timestamp'],
  cached: IndexSnapshot,
  wanted: string[],
  now: Date,
): { stamps: Record<string, string | undefined>; expires: string[] } | undefined {
  const stamps: Record<string, string | undefined> = { 'timestamp.json': timestamp.stamp };
  const read = (name: string) => {
    const r = readStamped(file(name));
    stamps[name] = r.stamp;
    return r.bytes;
  };
  const ts = Metadata.fromJSON(MetadataKind.Timestamp, json(timestamp.bytes));
  root.verifyDelegate('timestamp', ts);
  const snapMeta = ts.signed.snapshotMeta;
  const snapBytes = read('snapshot.json');
  if (ts.signed.isExpired(now) || !snapMeta.hashes?.sha256 || snapMeta.hashes.sha256 !== sha256(snapBytes))
    return undefined;
  if (snapMeta.length !== undefined && snapMeta.length !== snapBytes.length) return undefined;
  // Bound by the hash the timestamp signs, so plain JSON is enough (Metadata.fromJSON of 512 entries is not cheap).
  const snap = (
    JSON.parse(utf8Text(snapBytes)) as {
      signed: Pick<Snapshot, 'version' | 'expires'> & {
        meta: Record<string, { version: number }>;
      };
    }
  ).signed;
  if (snap.version !== snapMeta.version || Date.parse(snap.expires) <= now.getTime()) return undefined;

  const targets = Metadata.fromJSON(MetadataKind.Targets, json(read('targets.json'))) as Metadata<Targets>;
  root.verifyDelegate('targets', targets);
  if (targets.signed.isExpired(now) || snap.meta['targets.json']?.version !== targets.signed.version) return undefined;
  if (cached.targetsVersion !== targets.signed.version) return undefined;
  const expires = [ts.signed.expires, snap.expires, targets.signed.expires];

  const roles = targets.signed.delegations?.succinctRoles;
  if (!roles) {
    if (cached.sharded) return undefined;
    return targets.signed.targets['registry.json']?.hashes.sha256 === cached.sha256 ? { stamps, expires } : undefined;
  }
  if (!cached.sharded || !wantedCached(cached, wanted)) return undefined;
  const { plugins, ...head } = cached.registry;
  if (targets.signed.targets[HEAD_TARGET]?.hashes.sha256 !== signedEntrySha256(head)) return undefined;
  const bins = new Map<string, Metadata<Targets>>();
  for (const p of plugins) {
    const path = `plugins/${p.plugin_id}.json`;
    const name = roles.getRoleForTarget(path);
    let bin = bins.get(name);
    if (!bin) {
      if (!existsSync(file(`${name}.json`))) return undefined;
      bin = Metadata.fromJSON(MetadataKind.Targets, json(read(`${name}.json`))) as Metadata<Targets>;
      targets.verifyDelegate(name, bin);
      if (bin.signed.isExpired(now) || snap.meta[`${name}.json`]?.version !== bin.signed.version) return undefined;
      bins.set(name, bin);
      expires.push(bin.signed.expires);
    }
    if (bin.signed.targets[path]?.hashes.sha256 !== signedEntrySha256(p)) return undefined;
  }
  return { stamps, expires };
}
