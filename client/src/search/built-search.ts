// The search index of a source whose verified index holds every plugin (monolithic), built once per verified
// snapshot and kept in the home (cache/index/search-built/<alias>/), so that a search reads the manifest and the
// few chunks its query needs, as it does for a sharded source, instead of indexing the whole catalog again: that
// build is ~1 ms of a ~25 ms search of the demo's three plugins and ~100 ms at 1,000 (SHARD_THRESHOLD is 2,000).
// Derived data, not a trust anchor: a record for another snapshot, a file changed since it was written (its stamp,
// fs/file-stamp.ts) or anything malformed means "not built", and the search builds the index in memory instead.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSearchIndex,
  isSearchable,
  MANIFEST_PATH,
  openSearchIndex,
  parseCheckedManifest,
  type SearchIndex,
  toSearchDocInput,
} from '@wharf/schemas/search-index';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { currentStamp, isStamp, readStamped } from '../fs/file-stamp.js';
import { utf8Text } from '../fs/utf8-text.js';
import { ensureHomeDir, fileInHomeDir, homeDir, presentFileInHomeDir } from '../home/home-path.js';
import type { HomePaths } from '../home.js';
import { builtSearchDir, type IndexSnapshot } from '../index/index-cache.js';

const META = 'meta.json';
/** Index paths (manifest.json, t/<sha20>.json, d/<sha20>.json) as names in one directory. */
const localName = (path: string) => path.replace('/', '-');
const LOCAL_NAME = /^(manifest|[td]-[0-9a-f]{20})\.json$/;

interface BuiltMeta {
  v: 1;
  alias: string;
  /** The verified snapshot's sha256: the index answers for that snapshot only. */
  sha256: string;
  /** Each file by its local name, with its stamp as written. */
  files: Record<string, string>;
}

function validMeta(x: unknown, alias: string): x is BuiltMeta {
  const m = x as Partial<BuiltMeta> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    m.v === 1 &&
    m.alias === alias &&
    typeof m.sha256 === 'string' &&
    typeof m.files === 'object' &&
    m.files !== null &&
    Object.entries(m.files).every(([name, stamp]) => LOCAL_NAME.test(name) && isStamp(stamp))
  );
}

const sha256 = (file: string | Uint8Array) => createHash('sha256').update(file).digest('hex');

/**
 * Build and keep the index of a snapshot just refreshed, unless the one kept is for it already. Called under the
 * home lock by the refresh; files no longer named are removed after the record that named them is replaced.
 */
export function keepBuiltSearch(home: HomePaths, snap: IndexSnapshot): void {
  try {
    keep(home, snap);
  } catch {
    // Derived data: a failed write, or a link planted there (never followed, E_PATH_ESCAPE), fails no refresh;
    // searches then build the index in memory.
  }
}

function keep(home: HomePaths, snap: IndexSnapshot): void {
  const segs = builtSearchDir(snap.alias);
  const existing = homeDir(home.root, segs);
  const old = existing ? readMeta(existing, snap.alias) : undefined;
  if (old?.sha256 === snap.sha256 && Object.keys(old.files).length > 0) return;
  const dir = ensureHomeDir(home.root, ...segs);
  const { files } = buildSearchIndex(snap.registry.plugins.filter(isSearchable).map(toSearchDocInput), { sha256 });
  const meta: BuiltMeta = { v: 1, alias: snap.alias, sha256: snap.sha256, files: {} };
  for (const [path, text] of files) {
    if (path.startsWith('i/')) continue; // the publisher's id buckets: no query reads them
    const name = localName(path);
    const file = fileInHomeDir(dir, name);
    // Content-addressed: a chunk the last build wrote is kept as it is (its stamp too).
    let stamp = old?.files[name] !== undefined ? currentStamp(file) : undefined;
    if (stamp === undefined || stamp !== old?.files[name]) {
      writeFileAtomic(file, text, 0o644, { sync: false }); // derived: a torn file fails its stamp, then is rebuilt
      stamp = currentStamp(file);
    }
    if (stamp === undefined) return; // a filesystem without fine times: searches build in memory
    meta.files[name] = stamp;
  }
  writeFileAtomic(fileInHomeDir(dir, META), `${JSON.stringify(meta)}\n`, 0o644, { sync: false });
  for (const name of readdirSync(dir)) {
    if (LOCAL_NAME.test(name) && meta.files[name] === undefined) tryUnlink(join(dir, name));
  }
}

function readMeta(dir: string, alias: string): BuiltMeta | undefined {
  try {
    const path = presentFileInHomeDir(dir, META);
    const m: unknown = path && JSON.parse(readFileSync(path, 'utf8'));
    return validMeta(m, alias) ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Thrown by the loader below when a file is not the one the record names: the caller builds in memory. */
class NotBuilt extends Error {}

/**
 * The kept index of the verified index `sha256` of `alias`, or undefined when none answers for it. Files are read
 * as they are needed, each trusted while its stamp is the one recorded; a query that meets any other file rejects
 * (isNotBuilt).
 */
export function openBuiltSearch(home: HomePaths, alias: string, sha256Of: string): SearchIndex | undefined {
  let dir: string | undefined;
  try {
    dir = homeDir(home.root, builtSearchDir(alias));
  } catch {
    return undefined; // a link or a file there: not ours, never followed
  }
  const meta = dir && readMeta(dir, alias);
  if (!dir || !meta || meta.sha256 !== sha256Of) return undefined;
  const at = dir;
  const read = (name: string): string => {
    let path: string | undefined;
    try {
      path = presentFileInHomeDir(at, name);
    } catch {
      throw new NotBuilt(name);
    }
    const recorded = meta.files[name];
    const got = path && recorded ? readStamped(path) : undefined;
    if (!got || got.stamp !== recorded) throw new NotBuilt(name);
    return utf8Text(got.bytes);
  };
  let manifest: ReturnType<typeof parseCheckedManifest>;
  try {
    manifest = parseCheckedManifest(read(localName(MANIFEST_PATH)));
  } catch {
    return undefined;
  }
  // A file whose stamp matches holds the bytes it was written with, which were named by their sha256.
  const shaOf = new Map<string, string>();
  return openSearchIndex(
    manifest,
    async (path, sha) => {
      const text = read(localName(path));
      shaOf.set(text, sha);
      return text;
    },
    { checked: true, sha256: (file) => (typeof file === 'string' ? shaOf.get(file) : undefined) ?? sha256(file) },
  );
}

export const isNotBuilt = (e: unknown): boolean => e instanceof NotBuilt;

const tryUnlink = (p: string) => {
  try {
    unlinkSync(p);
  } catch {
    // gone already
  }
};
