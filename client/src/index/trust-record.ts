import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { currentStamp, isStamp } from '../fs/file-stamp.js';
import { fileInHomeDir, homeFile, presentFileInHomeDir } from '../home/home-path.js';
import type { HomePaths } from '../home.js';
import { trustSegments } from '../sources/root-trust.js';

/**
 * What the last full check of a source's trusted set found (unchanged-refresh.ts), bound to the files it read by
 * their stamps (fs/file-stamp.ts). While every one of them still has its stamp, the same check of the same bytes
 * gives the same answer but for the clock, so a no-change refresh checks the clock against the earliest expiry
 * and does not verify the signatures again: no node:crypto, no @tufjs/models (~10 ms of a ~120 ms refresh at 100k
 * plugins). What it still asks the mirror is unchanged: no next root, and a timestamp byte for byte the trusted one.
 * Like the stamps beside the cache, the record is as writable as the files it vouches for: tuf-js's re-verification
 * of files in the home never proved more than that they are intact (a self-signed root of one's own passes it).
 */
export interface TrustRecord {
  v: 1;
  /** Each file of trust/<alias>/metadata/ the check read, by name, with the stamp of the bytes it checked. */
  files: Record<string, string>;
  /** The cached index body the check compared with the signed hashes: its stamp, sha256 and targets version. */
  cache: { stamp: string; sha256: string; targetsVersion: number };
  rootVersion: number;
  /** The sha256 of the trusted timestamp's bytes (the ETag record of a 304 is checked against it). */
  timestampSha256: string;
  /** The earliest expiry of root, timestamp, snapshot, targets and the bins read. */
  expires: string;
}

export const TRUST_RECORD = 'verified.json';

const SHA256 = /^[0-9a-f]{64}$/;
const FILE = /^[a-z0-9][a-z0-9._-]{0,120}\.json$/;
const MAX_FILES = 4 + 4096;
const MAX_BYTES = 1024 * 1024;

/** The record's path, for the refresh's home check (a link there is refused before any source is refreshed). */
export const trustRecordPath = (home: HomePaths, alias: string): string =>
  homeFile(home.root, [...trustSegments(alias).slice(0, -1), TRUST_RECORD]);

/** The record in `trustDir` (trust/<alias>, a checked directory), checked like any input; undefined when unfit. */
export function readTrustRecord(trustDir: string): TrustRecord | undefined {
  // A link at its path is refused (E_PATH_ESCAPE), as for every file of the home; a missing or unfit record is none.
  const path = presentFileInHomeDir(trustDir, TRUST_RECORD);
  if (!path) return undefined;
  try {
    const text = readFileSync(path, 'utf8');
    if (text.length > MAX_BYTES) return undefined;
    const r: unknown = JSON.parse(text);
    return validRecord(r) ? r : undefined;
  } catch {
    return undefined;
  }
}

function validRecord(x: unknown): x is TrustRecord {
  const r = x as Partial<TrustRecord> | null;
  if (typeof r !== 'object' || r === null || r.v !== 1) return false;
  const files = r.files as unknown;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) return false;
  const entries = Object.entries(files as Record<string, unknown>);
  if (entries.length === 0 || entries.length > MAX_FILES) return false;
  if (!entries.every(([name, stamp]) => FILE.test(name) && isStamp(stamp))) return false;
  const c = r.cache as Partial<TrustRecord['cache']> | undefined;
  return (
    typeof c === 'object' &&
    c !== null &&
    isStamp(c.stamp) &&
    typeof c.sha256 === 'string' &&
    SHA256.test(c.sha256) &&
    Number.isSafeInteger(c.targetsVersion) &&
    (c.targetsVersion as number) >= 0 &&
    Number.isSafeInteger(r.rootVersion) &&
    (r.rootVersion as number) >= 1 &&
    typeof r.timestampSha256 === 'string' &&
    SHA256.test(r.timestampSha256) &&
    typeof r.expires === 'string' &&
    r.expires.length <= 64 &&
    !Number.isNaN(Date.parse(r.expires))
  );
}

/**
 * The record, when it was made from the very timestamp bytes the caller read (their stamp is the one it names), so
 * what it says of them (their sha256, that they were checked) holds for those bytes; else undefined.
 */
export function recordOf(
  r: TrustRecord | undefined,
  timestamp: { stamp: string | undefined } | undefined,
): TrustRecord | undefined {
  return r !== undefined && timestamp?.stamp !== undefined && timestamp.stamp === r.files['timestamp.json']
    ? r
    : undefined;
}

/** Whether every file the record names still has its stamp in `metaDir`, and the earliest expiry is still ahead. */
export function recordHolds(r: TrustRecord, metaDir: string, now: Date): boolean {
  // As tuf-js's isExpired: expired at the instant itself.
  if (now.getTime() >= Date.parse(r.expires)) return false;
  for (const [name, stamp] of Object.entries(r.files)) if (currentStamp(join(metaDir, name)) !== stamp) return false;
  return true;
}

/**
 * Replace the record (the caller holds the home lock). One that can't be written (a full or read-only disk) only
 * costs the next refresh the whole check, so the refresh it follows still succeeds; a link at its path is refused.
 */
export function writeTrustRecord(trustDir: string, r: TrustRecord): void {
  const path = fileInHomeDir(trustDir, TRUST_RECORD);
  try {
    writeFileAtomic(path, `${JSON.stringify(r)}\n`, 0o644, { sync: false });
  } catch {
    // as above: nothing of the refresh depends on it
  }
}
