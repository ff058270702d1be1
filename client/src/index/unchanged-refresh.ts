import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metadata, MetadataKind, type Root, type Snapshot, type Targets } from '@tufjs/models';
import { utf8Text } from '../fs/utf8-text.js';
import { TRUSTED_FILES } from '../sources/root-trust.js';
import type { IndexSnapshot } from './index-cache.js';
import { HEAD_TARGET, signedEntrySha256 } from './sharded-index.js';
import type { MirrorFetcher } from './tuf-fetcher.js';
import { linearTufMaps } from './tuf-linear-maps.js';

/** tuf-js's own caps for these two files (its config defaults), so the answers fetched ahead serve it as they are. */
const MAX_TIMESTAMP_BYTES = 16_384;
const MAX_ROOT_BYTES = 512_000;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const json = (b: Buffer) => JSON.parse(utf8Text(b)) as never;

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
 * Anything else — a new timestamp, a next root, a failed or missing check, plugins the cache lacks — returns
 * undefined, and the caller takes the full Updater path, which reports it (an expired freeze included).
 */
export async function unchangedSnapshot(
  metaDir: string,
  fetcher: MirrorFetcher,
  readCached: () => IndexSnapshot | undefined,
  wanted: string[],
  now = new Date(),
): Promise<IndexSnapshot | undefined> {
  linearTufMaps(); // the bins below are Targets with hundreds of entries each
  const file = (f: string) => join(metaDir, f);
  if (!TRUSTED_FILES.every((f) => existsSync(file(f)))) return undefined;
  try {
    const rootBytes = readFileSync(file('root.json'));
    const rootJson = json(rootBytes) as { signed?: { version?: unknown } };
    const version = rootJson.signed?.version;
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
    const cached = readCached();
    if (!cached || cached.stale) return undefined;
    const root = (() => {
      const r = Metadata.fromJSON(MetadataKind.Root, rootJson as never);
      // As tuf-js loads it: signed by itself, and not expired.
      r.verifyDelegate('root', r);
      return r.signed.isExpired(now) ? undefined : r;
    })();
    if (!root) return undefined;
    // The rest of the trusted set is checked while the timestamp is on its way: the root probe's answer is taken
    // first (its handler sends the timestamp request), then the thread is given up once so the request goes out.
    if (!(await noNextRoot.catch(() => false))) return undefined;
    await new Promise((ok) => setImmediate(ok));
    const same = (() => {
      try {
        return trustedSetUnchanged(file, root, cached, wanted, now);
      } catch {
        return undefined;
      }
    })();
    // No answer: a next root exists, or the mirror failed (the Updater's run reports which).
    const ts = await answers;
    if (!ts || !same || !ts.equals(same.tsBytes)) return undefined;
    return cached;
  } catch {
    // Whatever failed here, the Updater's own run decides it and says why.
    return undefined;
  }
}

/**
 * The local half: the trusted timestamp, snapshot, targets and bins as they lie, against the verified root, and the
 * cache against them. Returns the trusted timestamp's bytes (to compare with the mirror's), or undefined.
 */
function trustedSetUnchanged(
  file: (f: string) => string,
  root: Metadata<Root>,
  cached: IndexSnapshot,
  wanted: string[],
  now: Date,
): { tsBytes: Buffer } | undefined {
  const tsBytes = readFileSync(file('timestamp.json'));
  const ts = Metadata.fromJSON(MetadataKind.Timestamp, json(tsBytes));
  root.verifyDelegate('timestamp', ts);
  const snapMeta = ts.signed.snapshotMeta;
  const snapBytes = readFileSync(file('snapshot.json'));
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

  const targets = Metadata.fromJSON(MetadataKind.Targets, json(readFileSync(file('targets.json'))));
  root.verifyDelegate('targets', targets);
  if (targets.signed.isExpired(now) || snap.meta['targets.json']?.version !== targets.signed.version) return undefined;
  if (cached.targetsVersion !== targets.signed.version) return undefined;

  const roles = targets.signed.delegations?.succinctRoles;
  if (!roles) {
    if (cached.sharded) return undefined;
    return targets.signed.targets['registry.json']?.hashes.sha256 === cached.sha256 ? { tsBytes } : undefined;
  }
  if (!cached.sharded) return undefined;
  const { plugins, ...head } = cached.registry;
  if (targets.signed.targets[HEAD_TARGET]?.hashes.sha256 !== signedEntrySha256(head)) return undefined;
  const have = new Map(plugins.map((p) => [p.plugin_id, p]));
  if (wanted.some((id) => !have.has(id))) return undefined;
  const bins = new Map<string, Metadata<Targets>>();
  for (const p of plugins) {
    const path = `plugins/${p.plugin_id}.json`;
    const name = roles.getRoleForTarget(path);
    let bin = bins.get(name);
    if (!bin) {
      if (!existsSync(file(`${name}.json`))) return undefined;
      bin = Metadata.fromJSON(MetadataKind.Targets, json(readFileSync(file(`${name}.json`))));
      targets.verifyDelegate(name, bin);
      if (bin.signed.isExpired(now) || snap.meta[`${name}.json`]?.version !== bin.signed.version) return undefined;
      bins.set(name, bin);
    }
    if (bin.signed.targets[path]?.hashes.sha256 !== signedEntrySha256(p)) return undefined;
  }
  return { tsBytes };
}
