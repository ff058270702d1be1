import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isWharfError, type Registry } from '@wharf/schemas';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { currentStamp, isStamp, readStamped } from '../fs/file-stamp.js';
import { utf8Text } from '../fs/utf8-text.js';
import { checkSegment, fileInHomeDir, homeDir } from '../home/home-path.js';
import { HOME_DIRS, type HomePaths } from '../home.js';
import type { EtagRecord } from './tuf-fetcher.js';

/** A verified index as one source served it. `stale` is set when it comes from cache after a failed refresh. */
export interface IndexSnapshot {
  alias: string;
  registry: Registry;
  targetsVersion: number;
  mirror: string;
  fetchedAt: string;
  sha256: string;
  stale: boolean;
  /** Set with `stale`: when the last refresh failed on every mirror, and why. */
  staleSince?: string;
  staleReason?: string;
  /** A sharded index: `registry` holds only the plugins fetched so far (the head and their signed files). */
  sharded?: true;
}

interface CacheMeta {
  alias: string;
  targetsVersion: number;
  mirror: string;
  fetchedAt: string;
  sha256: string;
  sharded?: true;
  /** The body file as it was when this meta was written: inode, size, ctime in ns (fs/file-stamp.ts). */
  stamp?: string;
}

/**
 * A source's cache files, through checked paths (a link at cache/index or at one of the files is refused,
 * E_PATH_ESCAPE). `create` makes the directories, for writers. The directory is walked once for the four files
 * (a no-change refresh reads them three times over; each file walked it again before: 16 lstats a call, now 7).
 */
function files(home: HomePaths, alias: string, create = false) {
  checkSegment(alias, 'the source alias');
  const dir = homeDir(home.root, HOME_DIRS.indexCache, { create });
  // As homeFile: with no directory there is nothing yet to follow.
  const f = (kind: string) =>
    dir === undefined
      ? join(home.root, ...HOME_DIRS.indexCache, `${alias}.${kind}.json`)
      : fileInHomeDir(dir, `${alias}.${kind}.json`);
  // Each file checked when first named: most callers read one or two of the four.
  const checked: Record<string, string> = {};
  const at = (kind: string) => (checked[kind] ??= f(kind));
  return {
    get body() {
      return at('registry');
    },
    get meta() {
      return at('meta');
    },
    get stale() {
      return at('stale');
    },
    get etags() {
      return at('etags');
    },
  };
}

/** Every cache file of one source, for `source remove`: names relative to the home, removed through home-path. */
export function cacheFilesOf(alias: string): string[][] {
  checkSegment(alias, 'the source alias');
  return ['registry', 'meta', 'stale', 'etags'].map((kind) => [...HOME_DIRS.indexCache, `${alias}.${kind}.json`]);
}

/** The search index a refresh keeps for a monolithic source (search/built-search.ts), relative to the home. */
export function builtSearchDir(alias: string): string[] {
  checkSegment(alias, 'the source alias');
  return [...HOME_DIRS.indexCache, 'search-built', alias];
}

/** A sharded source's verified search files (search/sharded-search.ts), relative to the home. */
export function shardedSearchDir(alias: string): string[] {
  checkSegment(alias, 'the source alias');
  return [...HOME_DIRS.indexCache, 'search', alias];
}

/** The search directories of one source, for `source remove`. */
export const searchDirsOf = (alias: string): string[][] => [builtSearchDir(alias), shardedSearchDir(alias)];

const SHA256 = /^[0-9a-f]{64}$/;
const isDate = (x: unknown) => typeof x === 'string' && x.length <= 64 && !Number.isNaN(Date.parse(x));

/** A cache record read back from the home is checked like any input; one that doesn't fit means "no cache". */
function validMeta(x: unknown, alias: string): x is CacheMeta {
  const m = x as Partial<CacheMeta> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    m.alias === alias &&
    Number.isInteger(m.targetsVersion) &&
    (m.targetsVersion as number) >= 0 &&
    typeof m.mirror === 'string' &&
    m.mirror.length <= 2048 &&
    isDate(m.fetchedAt) &&
    typeof m.sha256 === 'string' &&
    SHA256.test(m.sha256) &&
    (m.sharded === undefined || m.sharded === true) &&
    (m.stamp === undefined || isStamp(m.stamp))
  );
}

function validNote(x: unknown): x is { since: string; reason: string } {
  const n = x as { since?: unknown; reason?: unknown } | null;
  return typeof n === 'object' && n !== null && isDate(n.since) && typeof n.reason === 'string';
}

/** Only verified bytes reach this cache; the body is written before the meta that vouches for it. */
export function writeCachedIndex(home: HomePaths, snap: IndexSnapshot, bytes?: Uint8Array): void {
  const f = files(home, snap.alias, true);
  // Unchanged bytes (a 304 or the same target hash) keep the body file; only the meta's date moves.
  if (bytes) writeFileAtomic(f.body, bytes);
  const meta: CacheMeta = {
    alias: snap.alias,
    targetsVersion: snap.targetsVersion,
    mirror: snap.mirror,
    fetchedAt: snap.fetchedAt,
    sha256: snap.sha256,
    ...(snap.sharded ? { sharded: true as const } : {}),
  };
  // The body as it lies now: just written from verified bytes, or kept because the verified hash is the same.
  const stamp = currentStamp(f.body);
  if (stamp) meta.stamp = stamp;
  const text = `${JSON.stringify(meta, null, 2)}\n`;
  // Unchanged bytes: only the date moves, and losing that in a power cut leaves the previous, still valid meta.
  if (bytes !== undefined || !overwriteInPlace(f.meta, text))
    writeFileAtomic(f.meta, text, 0o644, { sync: bytes !== undefined });
  // unlink, not rmSync: that loads Node's rimraf on every refresh, for one file that is usually not there.
  try {
    unlinkSync(f.stale);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/**
 * Write `text` over a file of the same length, in place: for a refresh whose index bytes did not change, whose meta
 * usually differs from the last one in its date only (ISO dates have one length). ext4 flushes a file renamed over another (auto_da_alloc):
 * ~0.4 ms a refresh, and 10-40 ms when the disk is busy. A file under one sector is written whole or not at all;
 * a link planted at the path is not followed (O_NOFOLLOW) but replaced by the atomic write, as before. Returns
 * false when the file is missing, a link, or of another length.
 */
function overwriteInPlace(path: string, text: string): boolean {
  const data = Buffer.from(text);
  if (data.length > 512) return false;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_NOFOLLOW);
  } catch {
    return false;
  }
  try {
    if (fstatSync(fd).size !== data.length) return false;
    writeSync(fd, data, 0, data.length, 0);
    return true;
  } finally {
    closeSync(fd);
  }
}

/** The path of the cached index body, which tuf-js can check against the signed target before downloading. */
export function cachedIndexPath(home: HomePaths, alias: string): string {
  return files(home, alias).body;
}

/**
 * Record that a refresh failed on every mirror. The verified copy stays as it was; this note is what makes
 * search/info label it stale and install refuse anything not already downloaded.
 */
export function markStale(home: HomePaths, alias: string, reason: string): void {
  const f = files(home, alias, true);
  if (!existsSync(f.meta)) return;
  writeFileAtomic(f.stale, `${JSON.stringify({ since: new Date().toISOString(), reason }, null, 2)}\n`);
}

/** Whether a source's cached index is stale, read from the small files only (no index parse). */
export function staleStatus(
  home: HomePaths,
  alias: string,
  now = Date.now(),
): { alias: string; stale_since: string; age_ms: number; reason: string } | undefined {
  const { meta: metaPath, stale: stalePath } = files(home, alias); // checked here: a refusal is not swallowed below
  try {
    const meta: unknown = JSON.parse(readFileSync(metaPath, 'utf8'));
    const note: unknown = JSON.parse(readFileSync(stalePath, 'utf8'));
    if (!validMeta(meta, alias) || !validNote(note)) return undefined;
    if (Date.parse(note.since) < Date.parse(meta.fetchedAt)) return undefined;
    return { alias, stale_since: note.since, age_ms: now - Date.parse(meta.fetchedAt), reason: note.reason };
  } catch {
    return undefined;
  }
}

/** An ETag as it may go back into an If-None-Match header: visible ASCII (a CR or LF would fail the request). */
const ETAG = /^[\x20-\x7e]{1,1024}$/;

export function readEtags(home: HomePaths, alias: string): EtagRecord {
  const path = files(home, alias).etags;
  try {
    const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
    const out: EtagRecord = Object.create(null);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
    // Only well-formed records are kept; the rest is as if never seen (a full fetch, re-verified by tuf-js).
    for (const [mirror, rec] of Object.entries(raw as Record<string, unknown>)) {
      const r = rec as { etag?: unknown; sha256?: unknown } | null;
      if (typeof r?.etag === 'string' && ETAG.test(r.etag) && typeof r.sha256 === 'string' && SHA256.test(r.sha256))
        out[mirror] = { etag: r.etag, sha256: r.sha256 };
    }
    return out;
  } catch {
    return {};
  }
}

export function writeEtags(home: HomePaths, alias: string, etags: EtagRecord): void {
  writeFileAtomic(files(home, alias, true).etags, `${JSON.stringify(etags, null, 2)}\n`);
}

/**
 * What the cache's meta says of the verified index of `alias` (its sha256, its layout), without reading the index:
 * for a search that may answer from files kept for that index (search/built-search.ts). Undefined when none.
 */
export function readCacheMeta(home: HomePaths, alias: string): { sha256: string; sharded?: true } | undefined {
  try {
    const f = files(home, alias);
    const meta: unknown = JSON.parse(readFileSync(f.meta, 'utf8'));
    return validMeta(meta, alias)
      ? { sha256: meta.sha256, ...(meta.sharded ? { sharded: true as const } : {}) }
      : undefined;
  } catch (e) {
    if (isWharfError(e) && e.code === 'E_PATH_ESCAPE') throw e;
    return undefined;
  }
}

/**
 * The verified index of `alias` from the cache, or undefined. `trustStamp`: for the commands that only read the cache
 * (search, info, install from it), a body whose file is still the one the meta recorded (its stamp) is not hashed
 * again; a refresh, whose no-change answer vouches for the cache against signed metadata, always hashes.
 */
export function readCachedIndex(
  home: HomePaths,
  alias: string,
  opts: { trustStamp?: boolean } = {},
): IndexSnapshot | undefined {
  return readStampedIndex(home, alias, opts)?.snap;
}

/** A cached index as read back, with the stamp of its body. */
export type StampedIndex = { snap: IndexSnapshot; stamp: string | undefined };

/**
 * readCachedIndex with the stamp of the body it read. `vouched`: a stamp a record of the last full check names
 * (index/trust-record.ts), for a body that is trusted unhashed while it has exactly that stamp.
 */
export function readStampedIndex(
  home: HomePaths,
  alias: string,
  opts: { trustStamp?: boolean; vouched?: string } = {},
): StampedIndex | undefined {
  const f = files(home, alias);
  const stalePath = f.stale; // checked here: a refusal is not swallowed below
  if (!existsSync(f.body) || !existsSync(f.meta)) return undefined;
  try {
    const meta: unknown = JSON.parse(readFileSync(f.meta, 'utf8'));
    if (!validMeta(meta, alias)) return undefined;
    const body = readStamped(f.body);
    const sameFile =
      body.stamp !== undefined &&
      ((opts.trustStamp === true && body.stamp === meta.stamp) || body.stamp === opts.vouched);
    // The cache is only trusted while it still has the bytes that were verified.
    if (!sameFile && createHash('sha256').update(body.bytes).digest('hex') !== meta.sha256) return undefined;
    const registry = JSON.parse(utf8Text(body.bytes)) as Registry;
    const raw: unknown = existsSync(stalePath) ? JSON.parse(readFileSync(stalePath, 'utf8')) : undefined;
    const note = validNote(raw) ? raw : undefined;
    const stale = note !== undefined && Date.parse(note.since) >= Date.parse(meta.fetchedAt);
    const snap: IndexSnapshot = stale
      ? { ...meta, registry, stale, staleSince: note.since, staleReason: note.reason }
      : { ...meta, registry, stale };
    return { snap, stamp: body.stamp };
  } catch {
    return undefined;
  }
}

export function ageOf(snap: IndexSnapshot, now = Date.now()): number {
  return now - Date.parse(snap.fetchedAt);
}
