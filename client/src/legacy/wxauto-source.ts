// A WXAUTO-MGT registry.json read as a legacy source: fetched with the same deadlines as the signed index,
// mapped by the schemas reader, cached beside the TUF caches and labelled unverified (nothing in it is signed).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  isWharfError,
  parseJson,
  type Registry,
  readRegistryWithNotes,
  type SourceConfig,
  toWharfId,
  WharfError,
} from '@wharf/schemas';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { checkSegment, homeFile } from '../home/home-path.js';
import { HOME_DIRS, type HomePaths } from '../home.js';
import { DEFAULT_LIMITS, FetchFailure, type FetchLimits } from '../index/http-fetch.js';
import { type IndexSnapshot, readCachedIndex } from '../index/index-cache.js';
import type { MirrorFailure } from '../index/refresh.js';
import { fetchLegacyBytes } from './https-fetch.js';

/** WXAUTO-MGT's registry is one small JSON file (10 KB for three plugins); far below this even at 10k entries. */
export const MAX_WXAUTO_REGISTRY_BYTES = 16 * 1024 * 1024;

/** What only a legacy snapshot carries; stored in the cache meta so a cached read has it too. */
export interface LegacyInfo {
  type: 'wxauto';
  /** Nothing in a WXAUTO registry is signed or hash-pinned. */
  unverified: true;
  /** sha256 of the document as served (the cached body is the mapped registry). */
  source_sha256: string;
  /** The entry's WXAUTO permission strings, by mapped plugin id: the reader's Registry has no place for them. */
  permissions: Record<string, string[]>;
  /** What the mapping dropped or rewrote, one sentence each. */
  notes: string[];
}

export interface LegacySnapshot extends IndexSnapshot {
  legacy: LegacyInfo;
}

export function isLegacySnapshot(s: IndexSnapshot): s is LegacySnapshot {
  return (s as Partial<LegacySnapshot>).legacy?.type === 'wxauto';
}

// The same names as the TUF cache, so `source remove` clears either kind; through home-path, so a link at
// cache/index or at either file is refused (E_PATH_ESCAPE), never written through.
const cacheFiles = (home: HomePaths, alias: string, create = false) => {
  checkSegment(alias, 'the source alias');
  const f = (kind: string) => homeFile(home.root, [...HOME_DIRS.indexCache, `${alias}.${kind}.json`], { create });
  return { body: f('registry'), meta: f('meta') };
};

/** Fetch the registry.json from each URL in turn (last good first) and cache the first that maps cleanly. */
export async function refreshWxautoSource(
  home: HomePaths,
  src: SourceConfig,
  opts: { limits?: FetchLimits } = {},
): Promise<LegacySnapshot> {
  // refresh.js brings tuf-js; loaded here so that reading the legacy cache (search, info) doesn't pay for it.
  const { allMirrorsFailed, mirrorOrder } = await import('../index/refresh.js');
  const failures: MirrorFailure[] = [];
  for (const mirror of mirrorOrder(src)) {
    try {
      const bytes = await fetchLegacyBytes(mirror, opts.limits ?? DEFAULT_LIMITS, MAX_WXAUTO_REGISTRY_BYTES);
      const snap = mapWxautoDocument(src.alias, mirror, bytes);
      writeWxautoCache(home, snap);
      return snap;
    } catch (e) {
      if (e instanceof FetchFailure) failures.push({ mirror, reason: e.reason, message: e.message });
      else if (e instanceof WharfError && e.code === 'E_IO')
        failures.push({ mirror, reason: 'not JSON', message: e.message });
      else failures.push({ mirror, reason: 'error', message: (e as Error).message });
    }
  }
  throw allMirrorsFailed(src.alias, failures);
}

/** Parse and map one served document; throws unless it is a WXAUTO-MGT registry the reader accepts. */
export function mapWxautoDocument(alias: string, mirror: string, bytes: Uint8Array): LegacySnapshot {
  let doc: unknown;
  try {
    doc = parseJson(bytes, `The document from ${mirror}`);
  } catch (e) {
    // Syntax stays E_IO (a mirror serving something else); duplicate keys and nesting are the document's fault.
    if (isWharfError(e) && e.details?.reason === 'syntax') throw new WharfError('E_IO', e.message);
    throw e;
  }
  const reading = readRegistryWithNotes(doc);
  if (reading.kind !== 'wxauto-registry') {
    throw new WharfError(
      'E_SCHEMA',
      `${mirror} serves a Wharf registry, not a WXAUTO-MGT one; add it as a signed source with --root-sha256.`,
    );
  }
  const fetchedAt = new Date().toISOString();
  return {
    alias,
    registry: reading.registry,
    targetsVersion: 0,
    mirror,
    fetchedAt,
    sha256: '',
    stale: false,
    legacy: {
      type: 'wxauto',
      unverified: true,
      source_sha256: createHash('sha256').update(bytes).digest('hex'),
      permissions: rawPermissions(doc, reading.registry),
      notes: reading.notes,
    },
  };
}

/** The reader maps entries but drops their permission strings; keep them by the id the entry was mapped to. */
function rawPermissions(doc: unknown, registry: Registry): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  const kept = new Set(registry.plugins.map((p) => p.plugin_id));
  const plugins = (doc as { plugins?: unknown }).plugins;
  for (const raw of Array.isArray(plugins) ? plugins : []) {
    const legacyId = typeof raw?.plugin_id === 'string' ? raw.plugin_id.normalize('NFKC').trim() : undefined;
    const id = legacyId === undefined ? undefined : toWharfId(legacyId);
    // The first entry with an id keeps it, as in the reader (later clashes were skipped there).
    if (id === undefined || !kept.has(id) || id in out) continue;
    const perms: unknown[] = Array.isArray(raw.permissions) ? raw.permissions : [];
    out[id] = perms.filter((p): p is string => typeof p === 'string').slice(0, 100);
  }
  return out;
}

/** Body first, then the meta that vouches for it (by sha256), so a crash between them reads as "no cache". */
export function writeWxautoCache(home: HomePaths, snap: LegacySnapshot): void {
  const f = cacheFiles(home, snap.alias, true);
  const body = `${JSON.stringify(snap.registry)}\n`;
  snap.sha256 = createHash('sha256').update(body).digest('hex');
  writeFileAtomic(f.body, body);
  const meta = {
    alias: snap.alias,
    targetsVersion: 0,
    mirror: snap.mirror,
    fetchedAt: snap.fetchedAt,
    sha256: snap.sha256,
    legacy: snap.legacy,
  };
  writeFileAtomic(f.meta, `${JSON.stringify(meta, null, 2)}\n`);
}

/**
 * The cached legacy snapshot. Read through readCachedIndex, so the stale note a failed refresh leaves is
 * honoured the same way for both kinds; the `legacy` block rides along in the meta.
 */
export function readWxautoCache(home: HomePaths, alias: string): LegacySnapshot | undefined {
  const snap = readCachedIndex(home, alias);
  if (!snap) return undefined;
  if (isLegacySnapshot(snap)) return snap;
  try {
    const meta = JSON.parse(readFileSync(cacheFiles(home, alias).meta, 'utf8')) as { legacy?: LegacyInfo };
    return meta.legacy?.type === 'wxauto' ? { ...snap, legacy: meta.legacy } : undefined;
  } catch {
    return undefined;
  }
}
