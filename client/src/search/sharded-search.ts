import { createHash } from 'node:crypto';
import { closeSync, existsSync, readFileSync, readSync } from 'node:fs';
import { isWharfError, type SourceConfig, WharfError } from '@wharf/schemas';
import {
  type DocLines,
  docLineIn,
  docLineOffsets,
  docLinesTile,
  openSearchIndex,
  parseCheckedManifest,
  parseManifest,
  type SearchIndex,
  type SearchIndexHit,
  type SearchManifest,
} from '@wharf/schemas/search-index';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { currentStamp, isStamp, openStamped, readStamped } from '../fs/file-stamp.js';
import { utf8Text } from '../fs/utf8-text.js';
import { ensureHomeDir, homeDir, homeFile, presentFileInHomeDir } from '../home/home-path.js';
import { HOME_DIRS, type HomePaths } from '../home.js';
import type { FetchLimits } from '../index/http-fetch.js';
import { markStale, shardedSearchDir } from '../index/index-cache.js';
import type { MirrorFailure } from '../index/tuf-fetcher.js';
import { trustSegments } from '../sources/root-trust.js';
import { queryFiltered } from './filtered-query.js';
import { hitOfDoc, type SearchFilters, type SearchHit } from './search.js';

/**
 * `wharf search` on a sharded source (DESIGN §3 "At scale"): through the source's search index, not the
 * plugin files the home happens to hold. The manifest is a signed target (search/manifest.json in the hashed
 * bins) fetched by the TUF refresh when the trusted timestamp moved; the chunks it names are fetched from the
 * mirrors through the same hedging fetcher and limits, checked against the manifest's sha256 and kept in the
 * home by that hash (cache/index/search/<alias>/). A warm search whose trusted timestamp is the one the manifest
 * was fetched under reads only the home: no tuf-js, no snapshot or bins parsed.
 */
export const SEARCH_MANIFEST_TARGET = 'search/manifest.json';
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
const MAX_CHUNK_BYTES = 2 * 1024 * 1024;
/** Hits a sharded source returns by default: each page of hits costs its doc chunks. */
export const SHARDED_SEARCH_LIMIT = 10;

export interface ShardedSearchContext {
  home: HomePaths;
  src: SourceConfig;
  /** Whether this source's ids are addressed bare (it is the current source). */
  current: boolean;
  offline?: boolean;
  limits?: FetchLimits;
  hedgeDelayMs?: number;
  /** The layer's home lock (its wait bound, and the section it runs in, if any), for what the search keeps. */
  locked<T>(fn: () => Promise<T> | T): Promise<T>;
  /** Plugin ids installed from this source, kept fresh when the search has to refresh it. */
  installed: string[];
}

interface ManifestMeta {
  alias: string;
  /** sha256 of the trusted timestamp.json the manifest was verified under. */
  timestamp_sha256: string;
  sha256: string;
  fetched_at: string;
  /** manifest.json and the trusted timestamp.json as they lay when their hashes were recorded (fs/file-stamp.ts). */
  stamp?: string;
  timestamp_stamp?: string;
  /** Set when the manifest passed parseManifest before it was written (MANIFEST_CHECK: which checks it passed). */
  checked?: number;
}

/** Bumped when parseManifest checks more: a manifest checked by an older wharf is then checked again. */
const MANIFEST_CHECK = 1;

/** A manifest's text, and its parsed form when it was checked already (else the engine checks the text). */
interface LoadedManifest {
  text: string;
  checked?: SearchManifest;
}

/** Chunk files kept by this home, as they lay when they were written from verified bytes: sha256 → stamp. */
const CHUNK_STAMPS = 'chunk-stamps.json';

const sha256 = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');
const SHA = /^[0-9a-f]{64}$/;
const NETWORK_CODES = new Set(['E_ALL_MIRRORS_FAILED', 'E_SOURCE_UNREACHABLE', 'E_TIMEOUT', 'E_TOO_LARGE']);

const dirSegs = shardedSearchDir;

function trustedTimestampPath(home: HomePaths, alias: string): string {
  return homeFile(home.root, [...trustSegments(alias), 'timestamp.json']);
}

/** The trusted timestamp's sha256 and stamp (at `p`, its checked path), from one descriptor; undefined when none. */
function trustedTimestamp(p: string): { sha256: string; stamp: string | undefined } | undefined {
  if (!existsSync(p)) return undefined;
  const { bytes, stamp } = readStamped(p);
  return { sha256: sha256(bytes), stamp };
}

const validManifestMeta = (m: Partial<ManifestMeta> | null, alias: string): m is ManifestMeta =>
  typeof m === 'object' &&
  m !== null &&
  m.alias === alias &&
  typeof m.sha256 === 'string' &&
  SHA.test(m.sha256) &&
  typeof m.timestamp_sha256 === 'string' &&
  (m.stamp === undefined || isStamp(m.stamp)) &&
  (m.timestamp_stamp === undefined || isStamp(m.timestamp_stamp)) &&
  (m.checked === undefined || m.checked === MANIFEST_CHECK);

/**
 * The cached manifest's text when its bytes still hash as recorded; `current` when under today's timestamp. A search
 * only reads (a refresh vouches for the cache against signed metadata): a file still stamped as when its hash was
 * recorded is not hashed again, which keeps node:crypto out of a warm search, nor checked again when it was checked
 * before it was written.
 */
function cachedManifest(
  home: HomePaths,
  alias: string,
): { text: string; current: boolean; checked: boolean } | undefined {
  try {
    // The directory checked once, then each file in it (as homeFile would, one lstat each).
    const dir = homeDir(home.root, dirSegs(alias));
    const metaPath = dir && presentFileInHomeDir(dir, 'manifest.meta.json');
    const bodyPath = dir && presentFileInHomeDir(dir, 'manifest.json');
    if (!metaPath || !bodyPath) return undefined;
    const m = JSON.parse(readFileSync(metaPath, 'utf8')) as Partial<ManifestMeta> | null;
    if (!validManifestMeta(m, alias)) return undefined;
    const { bytes, stamp } = readStamped(bodyPath); // hashed as read, not re-encoded from the decoded text
    const sameFile = m.stamp !== undefined && stamp === m.stamp;
    if (!sameFile && sha256(bytes) !== m.sha256) return undefined;
    const tsPath = trustedTimestampPath(home, alias);
    const current =
      (m.timestamp_stamp !== undefined && currentStamp(tsPath) === m.timestamp_stamp) ||
      m.timestamp_sha256 === trustedTimestamp(tsPath)?.sha256;
    return { text: utf8Text(bytes), current, checked: sameFile && m.checked === MANIFEST_CHECK };
  } catch (e) {
    if (isWharfError(e) && e.code === 'E_PATH_ESCAPE') throw e;
    return undefined;
  }
}

/**
 * Refresh the source (as `wharf refresh` does) and resolve its signed search manifest on the way, under the
 * home lock. Returns the manifest, checked (a malformed one is refused before it is kept: E_SCHEMA), or undefined
 * when the registry signs none (sharded before search).
 */
async function refreshManifest(
  ctx: ShardedSearchContext,
  cached: string | undefined,
): Promise<LoadedManifest | undefined> {
  const { refreshSource } = await import('../index/refresh.js');
  return ctx.locked(async () => {
    let text: string | undefined;
    let signed = false;
    await refreshSource(ctx.home, ctx.src, {
      limits: ctx.limits,
      hedgeDelayMs: ctx.hedgeDelayMs,
      plugins: ctx.installed,
      targets: [
        {
          path: SEARCH_MANIFEST_TARGET,
          maxBytes: MAX_MANIFEST_BYTES,
          use: async (info, download) => {
            if (!info) return;
            signed = true;
            text = cached !== undefined && sha256(cached) === info.sha256 ? cached : utf8Text(await download());
          },
        },
      ],
    });
    if (!signed || text === undefined) return undefined;
    const checked = parseManifest(text, manifestName(ctx));
    const dir = dirSegs(ctx.src.alias);
    const body = homeFile(ctx.home.root, [...dir, 'manifest.json'], { create: true });
    writeFileAtomic(body, text);
    const ts = trustedTimestamp(trustedTimestampPath(ctx.home, ctx.src.alias));
    const stamp = currentStamp(body);
    const meta: ManifestMeta = {
      alias: ctx.src.alias,
      timestamp_sha256: ts?.sha256 ?? '',
      sha256: sha256(text),
      fetched_at: new Date().toISOString(),
      ...(stamp ? { stamp } : {}),
      ...(ts?.stamp ? { timestamp_stamp: ts.stamp } : {}),
      checked: MANIFEST_CHECK,
    };
    writeFileAtomic(
      homeFile(ctx.home.root, [...dir, 'manifest.meta.json'], { create: true }),
      `${JSON.stringify(meta)}\n`,
    );
    return { text, checked };
  });
}

/** The source's manifest: cached and current, else refreshed; a failed refresh falls back to the cache (stale). */
async function manifestFor(
  ctx: ShardedSearchContext,
  cached: ReturnType<typeof cachedManifest>,
): Promise<LoadedManifest | undefined> {
  const fromCache = (c: NonNullable<typeof cached>): LoadedManifest =>
    c.checked ? { text: c.text, checked: parseCheckedManifest(c.text) } : { text: c.text };
  if (cached?.current || (cached && ctx.offline)) return fromCache(cached);
  if (ctx.offline)
    throw new WharfError(
      'E_INDEX_STALE',
      `Source "${ctx.src.alias}" has no search index in the cache; run \`wharf search\` once without --offline.`,
    );
  try {
    return await refreshManifest(ctx, cached?.text);
  } catch (e) {
    const code = isWharfError(e) ? e.code : 'E_ALL_MIRRORS_FAILED';
    if (['E_PATH_ESCAPE', 'E_HOME_LOCKED', 'E_ROOT_FINGERPRINT'].includes(code)) throw e;
    // As for the index: every mirror failed, the last verified copy answers, marked stale. With no manifest
    // cached, a network failure answers from the plugin files the home holds (undefined: the caller's search);
    // a verification failure (tampered, rolled back, expired) is the refusal it is.
    if (!cached && !NETWORK_CODES.has(code)) throw e;
    markStale(ctx.home, ctx.src.alias, code);
    return cached ? fromCache(cached) : undefined;
  }
}

/** The chunk stamps file of a search directory, checked like any input: a record that doesn't fit is no record. */
function readChunkStamps(dir: string): Map<string, string> {
  const stamps = new Map<string, string>();
  try {
    const p = presentFileInHomeDir(dir, CHUNK_STAMPS);
    const x: unknown = p === undefined ? undefined : JSON.parse(readFileSync(p, 'utf8'));
    if (typeof x === 'object' && x !== null && !Array.isArray(x))
      for (const [sha, stamp] of Object.entries(x)) if (SHA.test(sha) && isStamp(stamp)) stamps.set(sha, stamp);
  } catch (e) {
    if (isWharfError(e) && e.code === 'E_PATH_ESCAPE') throw e;
  }
  return stamps;
}

/**
 * The source's kept chunks as one search sees them: its directory, checked once per search (no link on the way),
 * and the stamps record, read once, when first needed.
 */
function keptChunks(ctx: ShardedSearchContext) {
  let dir: string | undefined | null = null;
  let stamps: Map<string, string> | undefined;
  return {
    /** Doc chunks kept without a line record (kept before records were), and their bytes once read and checked. */
    unrecorded: new Set<string>(),
    toRecord: new Map<string, Uint8Array>(),
    dir(): string | undefined {
      if (dir === null) dir = homeDir(ctx.home.root, dirSegs(ctx.src.alias));
      return dir;
    },
    stampOf(sha: string): string | undefined {
      const d = this.dir();
      if (d === undefined) return undefined;
      stamps ??= readChunkStamps(d);
      return stamps.get(sha);
    },
  };
}

/**
 * Chunks: the home's copy when its bytes hash right, or when its file is still stamped as when it was written from
 * verified bytes (given as those bytes: the engine decodes only what it reads), else the mirrors, in order, hedged,
 * hash-checked. Each file it returns is recorded in `verified` with its sha256, so that the engine's own check need
 * not hash it again.
 */
function chunkLoader(
  ctx: ShardedSearchContext,
  kept: ReturnType<typeof keptChunks>,
  fresh: Map<string, string>,
  verified: Map<string | Uint8Array, string>,
) {
  return async (rel: string, sha: string): Promise<string | Uint8Array> => {
    if (typeof sha !== 'string' || !SHA.test(sha))
      throw new WharfError('E_SCHEMA', `The search index names no sha256 for ${rel}.`);
    const dir = kept.dir();
    const p = dir === undefined ? undefined : presentFileInHomeDir(dir, `${sha}.json`);
    if (dir !== undefined && p !== undefined) {
      const { bytes, stamp } = readStamped(p);
      const recorded = kept.stampOf(sha);
      if ((recorded !== undefined && stamp === recorded) || sha256(bytes) === sha) {
        verified.set(bytes, sha);
        if (kept.unrecorded.has(sha)) kept.toRecord.set(sha, bytes);
        return bytes;
      } // a damaged copy is as good as none: fetched again
    }
    if (ctx.offline)
      throw new WharfError(
        'E_INDEX_STALE',
        `Part of source "${ctx.src.alias}"'s search index is not in the cache; run \`wharf search\` without --offline.`,
      );
    const text = await fetchChunk(ctx, `search/${rel}`, sha);
    fresh.set(sha, text);
    verified.set(text, sha);
    return text;
  };
}

/** Where a kept doc chunk's lines lie: `<sha>.lines.json` beside it, [start, end) byte pairs (docLineOffsets). */
const linesName = (sha: string) => `${sha}.lines.json`;

/**
 * The lines of a doc chunk the home keeps, read one at a time (positioned reads on one descriptor), when its file is
 * still stamped as when it was written from verified bytes and the record of where its lines lie fits it; else
 * undefined, and the engine loads the chunk whole. A warm search at 100k shows ten docs from ten chunks of ~40 KB:
 * reading them whole was ~440 KB of fresh memory (page faults, ~2 ms) and a scan of every line. The record is
 * checked like any input (lineRecord, lineAt); one that does not fit the stamped file is replaced by the file's own
 * layout. Descriptors stay open until `close()` (the end of the query).
 */
function docLineReader(kept: ReturnType<typeof keptChunks>) {
  const open: number[] = [];
  const reader = (_path: string, sha: string): DocLines | undefined => {
    if (!SHA.test(sha)) return undefined;
    const dir = kept.dir();
    if (dir === undefined) return undefined;
    const chunk = presentFileInHomeDir(dir, `${sha}.json`);
    const record = chunk && presentFileInHomeDir(dir, linesName(sha));
    if (chunk && !record) kept.unrecorded.add(sha); // read whole this time; its record is written after the query
    if (!chunk || !record) return undefined;
    const recorded = kept.stampOf(sha);
    if (recorded === undefined) return undefined;
    const { fd, stamp, size } = openStamped(chunk);
    let handed = false; // the descriptor goes to the reader, closed by close()
    try {
      if (stamp !== recorded) return undefined;
      let pairs: ArrayLike<number> | undefined = lineRecord(readFileSync(record, 'utf8'), size);
      if (!pairs) return undefined;
      handed = true;
      open.push(fd);
      const length = pairs.length / 2;
      return {
        length,
        line(i) {
          const got = pairs && lineAt(fd, pairs, i);
          if (got !== undefined) return got;
          // The record does not fit the file (damaged): the lines as the stamped file itself lays them out.
          const whole = Buffer.allocUnsafe(size);
          const full = readSync(fd, whole, 0, size, 0) === size ? docLineOffsets(whole) : undefined;
          pairs = full && full.length / 2 === length ? full : undefined;
          return (pairs && lineAt(fd, pairs, i)) ?? ''; // '' is no JSON: refused as a damaged chunk (E_SCHEMA)
        },
      };
    } catch (e) {
      if (isWharfError(e)) throw e;
      return undefined;
    } finally {
      if (!handed) closeSync(fd);
    }
  };
  return {
    reader,
    close() {
      for (const fd of open.splice(0)) closeSync(fd);
    },
  };
}

/** Line i of `pairs` from fd, read with the bytes around it that make it a line of the chunk; else undefined. */
function lineAt(fd: number, pairs: ArrayLike<number>, i: number): string | undefined {
  const start = pairs[2 * i] as number;
  const last = 2 * i + 2 >= pairs.length;
  const around = Buffer.allocUnsafe((pairs[2 * i + 1] as number) - start + (last ? 2 : 3));
  const n = readSync(fd, around, 0, around.length, start - 1);
  const line = n === around.length ? docLineIn(around, last) : undefined;
  return line && utf8Text(line);
}

/**
 * A line record read back from the home: [start, end) pairs that tile a doc chunk of `size` bytes as
 * serializeDocChunk lays it out (the first line right after its head, each next one after a comma and newline, the
 * last ending where its tail begins), else undefined. Each line read is checked against the bytes around it too
 * (lineAt): what damage to the record or the chunk could slip past both is a misplaced line of the same verified
 * chunk, which a home writer could have had by rewriting the chunk and its stamp record as well.
 */
function lineRecord(text: string, size: number): number[] | undefined {
  const x: unknown = JSON.parse(text);
  if (!Array.isArray(x)) return undefined;
  return docLinesTile(x, size) && x.every((v) => Number.isSafeInteger(v)) ? x : undefined;
}

/**
 * The line record of a doc chunk about to be kept, from its verified text: only for the one-doc-per-line layout
 * whose every line is one JSON value (what openDocChunk would read line by line), else undefined.
 */
function lineRecordOf(bytes: Uint8Array): string | undefined {
  const pairs = docLineOffsets(bytes);
  if (!pairs) return undefined;
  for (let i = 0; i < pairs.length; i += 2) {
    try {
      JSON.parse(utf8Text(bytes.subarray(pairs[i], pairs[i + 1])));
    } catch {
      return undefined;
    }
  }
  return `${JSON.stringify([...pairs])}\n`;
}

async function fetchChunk(ctx: ShardedSearchContext, rel: string, sha: string): Promise<string> {
  const [{ MirrorFetcher }, { mirrorOrder, allMirrorsFailed }] = await Promise.all([
    import('../index/tuf-fetcher.js'),
    import('../index/refresh.js'),
  ]);
  const failures: MirrorFailure[] = [];
  let mirrors = mirrorOrder(ctx.src);
  while (mirrors.length > 0) {
    const fetcher = new MirrorFetcher(mirrors, {
      limits: ctx.limits,
      hedgeDelayMs: ctx.hedgeDelayMs,
      tmpDir: ensureHomeDir(ctx.home.root, ...HOME_DIRS.tmp), // downloadBytes writes nothing there
    });
    let bytes: Buffer;
    try {
      bytes = await fetcher.downloadBytes(`${fetcher.base}/${rel}`, MAX_CHUNK_BYTES);
    } catch (e) {
      for (const f of fetcher.failed.values()) failures.push(f);
      if (fetcher.failed.size === 0)
        failures.push({ mirror: mirrors[0] as string, reason: 'error', message: String(e) });
      break;
    }
    for (const f of fetcher.failed.values()) failures.push(f);
    const by = fetcher.servedBy.get(rel) ?? (mirrors[0] as string);
    const text = utf8Text(bytes);
    if (sha256(bytes) === sha) return text;
    failures.push({ mirror: by, reason: 'hash', message: `${rel} does not match the signed search manifest` });
    const dropped = new Set(failures.map((f) => f.mirror));
    mirrors = mirrors.filter((m) => !dropped.has(m));
  }
  throw allMirrorsFailed(ctx.src.alias, failures);
}

/** Write the line record of the doc chunk `sha` (its verified bytes), when it has the layout; else nothing. */
function writeLineRecord(ctx: ShardedSearchContext, sha: string, bytes: Uint8Array): void {
  const lines = lineRecordOf(bytes);
  if (lines !== undefined)
    writeFileAtomic(homeFile(ctx.home.root, [...dirSegs(ctx.src.alias), linesName(sha)], { create: true }), lines);
}

/**
 * The line records of doc chunks a search found kept without one (kept before records existed), from the bytes it
 * read and checked, so that the next search reads those line by line. Best effort and without the home lock: a
 * record is named by its chunk's sha256 and follows from that chunk's bytes alone (two writers write the same), and
 * it is checked against the stamped chunk when read; a home this process may not write to still searches.
 */
function recordLines(ctx: ShardedSearchContext, toRecord: Map<string, Uint8Array>): void {
  for (const [sha, bytes] of toRecord) {
    try {
      writeLineRecord(ctx, sha, bytes);
    } catch (e) {
      if (isWharfError(e) && e.code === 'E_PATH_ESCAPE') throw e;
    }
  }
}

/**
 * Verified chunks fetched by this search, kept by hash under the home lock (content-addressed, atomic), and their
 * stamps recorded. Only the chunks the current manifest names keep a stamp record: the file stays bounded by the
 * index's own chunk count however many publishes the home has seen.
 */
async function keep(ctx: ShardedSearchContext, fresh: Map<string, string>, manifest: SearchManifest): Promise<void> {
  if (fresh.size === 0) return;
  const named = chunksOf(manifest);
  await ctx.locked(() => {
    const segs = dirSegs(ctx.src.alias);
    const stamps = readChunkStamps(ensureHomeDir(ctx.home.root, ...segs));
    for (const sha of stamps.keys()) if (!named.has(sha)) stamps.delete(sha);
    for (const [sha, text] of fresh) {
      // Fetched because the home had no good copy: written (over a damaged one too; another search may have
      // written the same bytes meanwhile), then recorded as it now lies. Writers hold the lock, so it stays so.
      const p = homeFile(ctx.home.root, [...segs, `${sha}.json`], { create: true });
      writeFileAtomic(p, text);
      const stamp = currentStamp(p);
      if (stamp !== undefined) stamps.set(sha, stamp);
      else stamps.delete(sha);
      writeLineRecord(ctx, sha, Buffer.from(text, 'utf8'));
    }
    writeFileAtomic(
      homeFile(ctx.home.root, [...segs, CHUNK_STAMPS], { create: true }),
      `${JSON.stringify(Object.fromEntries(stamps))}\n`,
    );
  });
}

/** Every chunk a manifest names, by sha256. */
function chunksOf(m: SearchManifest): Set<string> {
  return new Set([...m.terms.map((t) => t[1]), ...m.doc_chunks, ...m.id_buckets]);
}

const manifestName = (ctx: ShardedSearchContext) => `${ctx.src.alias}'s search/manifest.json`;

async function queryManifest(
  ctx: ShardedSearchContext,
  m: LoadedManifest,
  query: string,
  filters: SearchFilters,
  limit: number,
): Promise<SearchIndexHit[]> {
  const fresh = new Map<string, string>();
  const verified = new Map<string | Uint8Array, string>();
  const kept = keptChunks(ctx);
  const lines = docLineReader(kept);
  let idx: SearchIndex;
  try {
    // node:crypto's sha256, loaded only when a file must be hashed: WebCrypto would add its start-up to every search.
    // A file the loader has just checked is not hashed twice; a manifest checked before it was kept, not again.
    idx = openSearchIndex(m.checked ?? m.text, chunkLoader(ctx, kept, fresh, verified), {
      sha256: (t) => verified.get(t) ?? sha256(t),
      decode: utf8Text,
      name: manifestName(ctx),
      checked: m.checked !== undefined,
      docLines: lines.reader,
    });
  } catch (e) {
    throw e instanceof WharfError ? e : new WharfError('E_SCHEMA', String(e));
  }
  try {
    return await queryFiltered(idx, query, filters, limit);
  } finally {
    lines.close();
    await keep(ctx, fresh, idx.manifest);
    recordLines(ctx, kept.toRecord);
  }
}

/**
 * Search one sharded source. Returns undefined when its registry signs no search index (sharded before the
 * index existed), or when no manifest was ever fetched and no mirror answers: the caller then searches the
 * plugin files the home holds, as before.
 */
export async function searchShardedSource(
  ctx: ShardedSearchContext,
  query: string,
  filters: SearchFilters & { limit?: number } = {},
): Promise<SearchHit[] | undefined> {
  const limit = filters.limit ?? SHARDED_SEARCH_LIMIT;
  const cached = cachedManifest(ctx.home, ctx.src.alias);
  const loaded = await manifestFor(ctx, cached);
  if (loaded === undefined) return undefined;
  let hits: SearchIndexHit[];
  try {
    hits = await queryManifest(ctx, loaded, query, filters, limit);
  } catch (e) {
    // The publisher keeps the chunks of the current and the previous manifest only: a manifest verified two or
    // more publishes ago may name chunks the mirrors no longer have. Then the signed manifest is fetched anew
    // (a refresh) and the query runs once more; a hash mismatch is never retried.
    const fromCache = cached?.current === true && cached.text === loaded.text;
    if (!fromCache || ctx.offline || !isWharfError(e) || e.code !== 'E_ALL_MIRRORS_FAILED') throw e;
    const next = await refreshManifest(ctx, loaded.text);
    if (next === undefined) return undefined;
    hits = await queryManifest(ctx, next, query, filters, limit);
  }
  return hits.slice(0, limit).map((d) => hitOfDoc(d, ctx.src.alias, ctx.current));
}
