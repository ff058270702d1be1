import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from '@wharf/schemas';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { HomePaths } from '../home.js';
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
}

interface CacheMeta {
  alias: string;
  targetsVersion: number;
  mirror: string;
  fetchedAt: string;
  sha256: string;
}

const files = (home: HomePaths, alias: string) => ({
  body: join(home.indexCache, `${alias}.registry.json`),
  meta: join(home.indexCache, `${alias}.meta.json`),
  stale: join(home.indexCache, `${alias}.stale.json`),
  etags: join(home.indexCache, `${alias}.etags.json`),
});

/** Every cache file of one source, for `source remove`. */
export function cacheFilesOf(home: HomePaths, alias: string): string[] {
  return Object.values(files(home, alias));
}

/** Only verified bytes reach this cache; the body is written before the meta that vouches for it. */
export function writeCachedIndex(home: HomePaths, snap: IndexSnapshot, bytes?: Uint8Array): void {
  const f = files(home, snap.alias);
  // Unchanged bytes (a 304 or the same target hash) keep the body file; only the meta's date moves.
  if (bytes) writeFileAtomic(f.body, bytes);
  const meta: CacheMeta = {
    alias: snap.alias,
    targetsVersion: snap.targetsVersion,
    mirror: snap.mirror,
    fetchedAt: snap.fetchedAt,
    sha256: snap.sha256,
  };
  writeFileAtomic(f.meta, `${JSON.stringify(meta, null, 2)}\n`);
  rmSync(f.stale, { force: true });
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
  const f = files(home, alias);
  if (!existsSync(f.meta)) return;
  writeFileAtomic(f.stale, `${JSON.stringify({ since: new Date().toISOString(), reason }, null, 2)}\n`);
}

/** Whether a source's cached index is stale, read from the small files only (no index parse). */
export function staleStatus(
  home: HomePaths,
  alias: string,
  now = Date.now(),
): { alias: string; stale_since: string; age_ms: number; reason: string } | undefined {
  const f = files(home, alias);
  try {
    const meta = JSON.parse(readFileSync(f.meta, 'utf8')) as CacheMeta;
    const note = JSON.parse(readFileSync(f.stale, 'utf8')) as { since: string; reason: string };
    if (Date.parse(note.since) < Date.parse(meta.fetchedAt)) return undefined;
    return { alias, stale_since: note.since, age_ms: now - Date.parse(meta.fetchedAt), reason: note.reason };
  } catch {
    return undefined;
  }
}

export function readEtags(home: HomePaths, alias: string): EtagRecord {
  try {
    return JSON.parse(readFileSync(files(home, alias).etags, 'utf8')) as EtagRecord;
  } catch {
    return {};
  }
}

export function writeEtags(home: HomePaths, alias: string, etags: EtagRecord): void {
  writeFileAtomic(files(home, alias).etags, `${JSON.stringify(etags, null, 2)}\n`);
}

export function readCachedIndex(home: HomePaths, alias: string): IndexSnapshot | undefined {
  const f = files(home, alias);
  if (!existsSync(f.body) || !existsSync(f.meta)) return undefined;
  try {
    const meta = JSON.parse(readFileSync(f.meta, 'utf8')) as CacheMeta;
    const body = readFileSync(f.body);
    // The cache is only trusted while it still has the bytes that were verified.
    if (createHash('sha256').update(body).digest('hex') !== meta.sha256) return undefined;
    const registry = JSON.parse(body.toString('utf8')) as Registry;
    const note = existsSync(f.stale)
      ? (JSON.parse(readFileSync(f.stale, 'utf8')) as { since: string; reason: string })
      : undefined;
    const stale = note !== undefined && Date.parse(note.since) >= Date.parse(meta.fetchedAt);
    return stale
      ? { ...meta, registry, stale, staleSince: note.since, staleReason: note.reason }
      : { ...meta, registry, stale };
  } catch {
    return undefined;
  }
}

export function ageOf(snap: IndexSnapshot, now = Date.now()): number {
  return now - Date.parse(snap.fetchedAt);
}
