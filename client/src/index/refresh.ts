import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  isWharfError,
  parseJson,
  type Registry,
  type SourceConfig,
  validateRegistry,
  WharfError,
} from '@wharf/schemas';
import { TEMP_MARK, writeFileAtomic } from '../fs/atomic-write.js';
import { readStamped } from '../fs/file-stamp.js';
import { homeDir, homeFile } from '../home/home-path.js';
import type { HomePaths } from '../home.js';
import { TRUSTED_FILES, trustedMetadata, trustSegments } from '../sources/root-trust.js';
import { classifyTufError, errorCodeFor } from './classify-tuf-error.js';
import type { FetchLimits, MirrorReason } from './http-fetch.js';
import {
  cachedIndexPath,
  type IndexSnapshot,
  readCachedIndex,
  readEtags,
  readStampedIndex,
  writeCachedIndex,
  writeEtags,
} from './index-cache.js';
import { BIN_FILE, isShardedTargets, loadShardedRegistry } from './sharded-index.js';
import { readTrustRecord, recordOf, writeTrustRecord } from './trust-record.js';
import { type EtagRecord, type MirrorFailure, MirrorFetcher } from './tuf-fetcher.js';
import { unchangedSnapshot } from './unchanged-refresh.js';

/** The registry target's size cap: about 3.3 MB gzip at 10k plugins, far more uncompressed (DESIGN §9). */
export const MAX_INDEX_BYTES = 64 * 1024 * 1024;

export type { MirrorFailure } from './tuf-fetcher.js';

export interface RefreshOptions {
  limits?: FetchLimits;
  /** Silence on the current mirror before the next one is started (default DEFAULT_HEDGE_DELAY_MS). */
  hedgeDelayMs?: number;
  /** Sharded sources: plugin ids to fetch besides those already cached (monolithic sources have them all). */
  plugins?: string[];
  /**
   * Verify and return the snapshot, but leave the trusted metadata and the cache as they were until the caller
   * calls `commit` (or `discard`) on what this receives: a refused install then changes nothing.
   */
  deferCommit?: (staged: StagedRefresh) => void;
  /**
   * Sharded sources: more signed targets to resolve through the same Updater (the search manifest). `use` gets
   * the target's signed sha256 and length (undefined when the registry signs no such target) and a download of
   * its verified bytes, to call only when it has no copy with that hash.
   */
  targets?: ExtraTarget[];
}

export interface ExtraTarget {
  path: string;
  maxBytes: number;
  use(info: { sha256: string; length: number } | undefined, download: () => Promise<Buffer>): Promise<void>;
}

export interface StagedRefresh {
  commit(): void;
  discard(): void;
}

/** Mirrors in the order to try: the last one that served a verified index first, then as configured. */
export function mirrorOrder(src: SourceConfig): string[] {
  const rest = src.mirrors.filter((m) => m !== src.last_good);
  return src.last_good && src.mirrors.includes(src.last_good) ? [src.last_good, ...rest] : rest;
}

/**
 * Refresh one source through one tuf-js Updater whose fetcher hedges across the mirrors (DESIGN §4). The
 * Updater works on a staged copy of the trusted metadata; only a fully verified set is copied back, so
 * trusted state only moves forward and a crash mid-refresh leaves the previous trusted state. When tuf-js
 * rejects a file, the mirror that served it is dropped and the refresh runs again with the rest.
 */
export async function refreshSource(
  home: HomePaths,
  src: SourceConfig,
  opts: RefreshOptions = {},
): Promise<IndexSnapshot> {
  const order = mirrorOrder(src);
  const failures = new Map<string, MirrorFailure>();
  let active = order;
  while (active.length > 0) {
    const run = await attempt(home, src, active, opts, { commit: true, useCache: true });
    if (run.snapshot) return run.snapshot;
    const { fetcher, error } = run;
    if (error instanceof WharfError && error.code === 'E_ROOT_FINGERPRINT') throw error;
    for (const [m, f] of fetcher.failed) if (!failures.has(m)) failures.set(m, f);
    // No mirror could serve some file: every remaining one has its network reason recorded.
    if (active.every((m) => failures.has(m))) break;
    // A mirror that failed this run may still have answered part of it (a 404 to the root probe hides a new
    // root): run the rest alone before blaming one of them for what didn't verify.
    const survivors = active.filter((m) => !failures.has(m));
    if (survivors.length < active.length) {
      active = survivors;
      continue;
    }
    const culprit = fetcher.lastMirror ?? (active[0] as string);
    if (!failures.has(culprit)) failures.set(culprit, { mirror: culprit, ...reasonOf(error) });
    active = active.filter((m) => !failures.has(m));
  }
  throw allMirrorsFailed(
    src.alias,
    order.flatMap((m) => failures.get(m) ?? []),
  );
}

export interface MirrorHealth {
  mirror: string;
  ok: boolean;
  /** Time to a verified index from this mirror alone (all metadata and the signed registry.json). */
  latency_ms: number;
  reason?: MirrorReason;
  message?: string;
  targets_version?: number;
  requests: number;
}

/** `wharf source test`: verify each mirror on its own, in parallel, without changing any trusted state. */
export async function testMirrors(
  home: HomePaths,
  src: SourceConfig,
  opts: RefreshOptions = {},
): Promise<MirrorHealth[]> {
  return Promise.all(
    src.mirrors.map(async (mirror) => {
      const t0 = performance.now();
      const run = await attempt(home, src, [mirror], opts, { commit: false, useCache: false });
      const latency_ms = Math.round(performance.now() - t0);
      if (run.snapshot)
        return {
          mirror,
          ok: true,
          latency_ms,
          targets_version: run.snapshot.targetsVersion,
          requests: run.fetcher.requests,
        };
      if (run.error instanceof WharfError && run.error.code === 'E_ROOT_FINGERPRINT') throw run.error;
      const f = run.fetcher.failed.get(mirror) ?? { mirror, ...reasonOf(run.error) };
      return { mirror, ok: false, latency_ms, reason: f.reason, message: f.message, requests: run.fetcher.requests };
    }),
  );
}

function reasonOf(e: unknown): { reason: MirrorReason; message: string } {
  return e instanceof WharfError && e.details?.reason
    ? { reason: e.details.reason as MirrorReason, message: e.message }
    : classifyTufError(e);
}

export function allMirrorsFailed(alias: string, failures: MirrorFailure[]): WharfError {
  const lines = failures.map((f) => `  ${f.mirror}: ${f.reason} (${f.message})`).join('\n');
  // When every mirror failed the same verification, that is the more useful code.
  const reasons = new Set(failures.map((f) => f.reason));
  const only = reasons.size === 1 ? [...reasons][0] : undefined;
  const code =
    only && ['hash', 'rollback', 'expired', 'signature'].includes(only) ? errorCodeFor(only) : 'E_ALL_MIRRORS_FAILED';
  return new WharfError(code, `Every mirror of source "${alias}" failed:\n${lines}`, {
    source: alias,
    mirrors: failures,
  });
}

type Attempt =
  | { snapshot: IndexSnapshot; fetcher: MirrorFetcher }
  | { snapshot?: undefined; fetcher: MirrorFetcher; error: unknown };

async function attempt(
  home: HomePaths,
  src: SourceConfig,
  mirrors: string[],
  opts: RefreshOptions,
  mode: { commit: boolean; useCache: boolean },
): Promise<Attempt> {
  const metaSegs = trustSegments(src.alias);
  const trusted = trustedMetadata(home, src.alias);
  if (!trusted) {
    throw new WharfError(
      'E_ROOT_FINGERPRINT',
      `Source "${src.alias}" has no trusted root; add it again with --root-sha256 or --root-file.`,
    );
  }
  const trust = homeDir(home.root, metaSegs.slice(0, -1), { create: false }) as string;
  const tsPath = join(trusted.dir, 'timestamp.json');
  const etags = mode.useCache ? readEtags(home, src.alias) : {};
  const trustedTs = mode.useCache && existsSync(tsPath) ? readStamped(tsPath) : undefined;
  // What the last full check of this trusted set found, made from these timestamp bytes (trust-record.ts).
  const record = recordOf(mode.useCache && mode.commit ? readTrustRecord(trust) : undefined, trustedTs);
  const fetcher = new MirrorFetcher(mirrors, {
    limits: opts.limits,
    hedgeDelayMs: opts.hedgeDelayMs,
    etags,
    trustedTimestamp: trustedTs?.bytes,
    trustedTimestampSha256: record?.timestampSha256,
    tmpDir: trust,
  });
  const mirror = () => fetcher.servedBy.get('metadata/timestamp.json') ?? fetcher.lastMirror ?? (mirrors[0] as string);
  // Nothing changed upstream: the trusted set is checked where it lies, nothing staged, only the cache's date moves.
  if (trustedTs && mode.useCache && mode.commit && !opts.targets?.length) {
    try {
      const same = await unchangedSnapshot(
        trusted.dir,
        fetcher,
        (vouched) => readStampedIndex(home, src.alias, { vouched }),
        opts.plugins ?? [],
        { record, timestamp: trustedTs },
      );
      if (same) {
        const snap: IndexSnapshot = {
          ...same.snapshot,
          mirror: mirror(),
          fetchedAt: new Date().toISOString(),
          stale: false,
        };
        const store = () => {
          commitCache(home, src.alias, etags, fetcher, snap, undefined);
          if (same.record) writeTrustRecord(trust, same.record);
        };
        if (opts.deferCommit) opts.deferCommit({ commit: store, discard: () => {} });
        else store();
        return { snapshot: snap, fetcher };
      }
    } catch (error) {
      return { fetcher, error };
    }
  }
  const stage = mkdtempSync(join(trust, `${TEMP_MARK}stage.${process.pid}.`));
  const stageMeta = join(stage, 'metadata');
  const stageTargets = join(stage, 'targets');
  mkdirSync(stageMeta);
  mkdirSync(stageTargets);
  for (const f of trusted.files) copyFileSync(f, join(stageMeta, basename(f)));
  let kept = false;
  const drop = () => rmSync(stage, { recursive: true, force: true });
  // Commit now, or (opts.deferCommit) hand the verified stage to the caller to commit once its command succeeded.
  const settle = (store: () => void) => {
    if (mode.commit && opts.deferCommit) {
      kept = true;
      opts.deferCommit({
        commit: () => {
          try {
            store();
          } finally {
            drop();
          }
        },
        discard: drop,
      });
    } else if (mode.commit) store();
  };
  try {
    // Loaded only when something changed: the no-change path above needs none of the Updater.
    const [{ Updater }, { linearTufMaps }] = await Promise.all([import('tuf-js'), import('./tuf-linear-maps.js')]);
    linearTufMaps(); // tuf-js parses and re-serializes the snapshot and each bin: not in O(n²)
    const updater = new Updater({
      metadataDir: stageMeta,
      metadataBaseUrl: `${fetcher.base}/metadata`,
      targetDir: stageTargets,
      targetBaseUrl: `${fetcher.base}/targets`,
      fetcher,
      config: { targetsMaxLength: 4 * 1024 * 1024, fetchRetries: 0 },
    });
    await updater.refresh();
    const targetsVersion = (
      JSON.parse(readFileSync(join(stageMeta, 'targets.json'), 'utf8')) as { signed: { version: number } }
    ).signed.version;
    if (isShardedTargets(stageMeta)) {
      // A cache from before the source was sharded holds every plugin: keep only what the caller asks for then.
      const found = mode.useCache ? readCachedIndex(home, src.alias) : undefined;
      const cached = found?.sharded ? found : undefined;
      const wanted = [...(cached?.registry.plugins.map((p) => p.plugin_id) ?? []), ...(opts.plugins ?? [])];
      const composed = await loadShardedRegistry(updater, stageTargets, wanted, cached?.registry, mirror());
      for (const [i, t] of (opts.targets ?? []).entries()) {
        const info = await updater.getTargetInfo(t.path);
        await t.use(info && { sha256: info.hashes.sha256 as string, length: info.length }, async () => {
          if (!info) throw new WharfError('E_NOT_FOUND', `${mirror()} signs no ${t.path}.`, { reason: 'error' });
          if (info.length > t.maxBytes)
            throw new WharfError('E_TOO_LARGE', `${t.path} is ${info.length} bytes.`, { reason: 'too large' });
          return readFileSync(await updater.downloadTarget(info, join(stageTargets, `extra.${i}.json`)));
        });
      }
      const v = validateRegistry(composed);
      if (!v.ok) {
        const first = v.problems[0];
        throw new WharfError(
          'E_SCHEMA',
          `The signed index from ${mirror()} is invalid: ${first?.path} ${first?.message}`,
          {
            reason: 'error',
          },
        );
      }
      const bytes = Buffer.from(`${JSON.stringify(composed)}\n`);
      const snap: IndexSnapshot = {
        alias: src.alias,
        registry: v.value,
        targetsVersion,
        mirror: mirror(),
        fetchedAt: new Date().toISOString(),
        sha256: createHash('sha256').update(bytes).digest('hex'),
        stale: false,
        sharded: true,
      };
      settle(() =>
        commit(
          home,
          src.alias,
          metaSegs,
          stageMeta,
          etags,
          fetcher,
          snap,
          cached?.sha256 === snap.sha256 ? undefined : bytes,
        ),
      );
      return { snapshot: snap, fetcher };
    }
    const info = await updater.getTargetInfo('registry.json');
    if (!info)
      throw new WharfError('E_NOT_FOUND', `${fetcher.base} signs no registry.json target.`, { reason: 'error' });
    if (info.length > MAX_INDEX_BYTES)
      throw new WharfError('E_TOO_LARGE', `registry.json is ${info.length} bytes.`, { reason: 'too large' });
    const cachedPath = cachedIndexPath(home, src.alias);
    // The signed target names its hash: a cached copy with that hash is the same index, no download needed.
    const reuse =
      mode.useCache && existsSync(cachedPath) ? await updater.findCachedTarget(info, cachedPath) : undefined;
    const file = reuse ?? (await updater.downloadTarget(info, join(stageTargets, 'registry.json')));
    const bytes = readFileSync(file);
    const registry = parseRegistry(bytes, mirror());
    const snap: IndexSnapshot = {
      alias: src.alias,
      registry,
      targetsVersion,
      mirror: mirror(),
      fetchedAt: new Date().toISOString(),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      stale: false,
    };
    settle(() => commit(home, src.alias, metaSegs, stageMeta, etags, fetcher, snap, reuse ? undefined : bytes));
    return { snapshot: snap, fetcher };
  } catch (error) {
    return { fetcher, error };
  } finally {
    if (!kept) rmSync(stage, { recursive: true, force: true });
  }
}

/** Commit a verified refresh: trusted metadata (root first), then the cache body and the meta that vouches for it. */
function commit(
  home: HomePaths,
  alias: string,
  metaSegs: string[],
  stageMeta: string,
  etags: EtagRecord,
  fetcher: MirrorFetcher,
  snap: IndexSnapshot,
  bytes: Uint8Array | undefined,
): void {
  // Root first, so that a crash part-way leaves a set tuf-js can still load and heal from. Bins after targets.
  const bins = readdirSync(stageMeta)
    .filter((f) => BIN_FILE.test(f))
    .sort();
  for (const f of [...TRUSTED_FILES, ...bins]) {
    const p = join(stageMeta, f);
    if (!existsSync(p)) continue;
    const next = readFileSync(p);
    const dest = homeFile(home.root, [...metaSegs, f]);
    // An unchanged file (the usual 304 case) is left alone: no rewrite, no fsync.
    if (!existsSync(dest) || !readFileSync(dest).equals(next)) writeFileAtomic(dest, next);
  }
  commitCache(home, alias, etags, fetcher, snap, bytes);
}

/** The cache body (when it changed) and its meta, then any new ETags. */
function commitCache(
  home: HomePaths,
  alias: string,
  etags: EtagRecord,
  fetcher: MirrorFetcher,
  snap: IndexSnapshot,
  bytes: Uint8Array | undefined,
): void {
  writeCachedIndex(home, snap, bytes);
  if (Object.entries(fetcher.newEtags).some(([m, e]) => etags[m]?.etag !== e.etag))
    writeEtags(home, alias, { ...etags, ...fetcher.newEtags });
}

function parseRegistry(bytes: Buffer, mirror: string): Registry {
  let json: unknown;
  try {
    json = parseJson(bytes, `The signed registry.json from ${mirror}`);
  } catch (e) {
    // Duplicate keys and over-deep nesting come from the same entry point; they are the document's fault, not JSON's.
    const syntax = isWharfError(e) && e.details?.reason === 'syntax';
    throw new WharfError('E_SCHEMA', (e as Error).message, { reason: syntax ? 'not JSON' : 'error' });
  }
  const v = validateRegistry(json);
  if (!v.ok) {
    const first = v.problems[0];
    throw new WharfError(
      'E_SCHEMA',
      `The signed registry.json from ${mirror} is invalid: ${first?.path} ${first?.message}`,
      { reason: 'error' },
    );
  }
  return v.value;
}
