import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from '@wharf/schemas';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { HomePaths } from '../home.js';

/** A verified index as one source served it. `stale` is set when it comes from cache after a failed refresh. */
export interface IndexSnapshot {
  alias: string;
  registry: Registry;
  targetsVersion: number;
  mirror: string;
  fetchedAt: string;
  sha256: string;
  stale: boolean;
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
});

/** Only verified bytes reach this cache; the body is written before the meta that vouches for it. */
export function writeCachedIndex(home: HomePaths, snap: IndexSnapshot, bytes: Uint8Array): void {
  const f = files(home, snap.alias);
  writeFileAtomic(f.body, bytes);
  const meta: CacheMeta = {
    alias: snap.alias,
    targetsVersion: snap.targetsVersion,
    mirror: snap.mirror,
    fetchedAt: snap.fetchedAt,
    sha256: snap.sha256,
  };
  writeFileAtomic(f.meta, `${JSON.stringify(meta, null, 2)}\n`);
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
    return { ...meta, registry, stale: false };
  } catch {
    return undefined;
  }
}

export function ageOf(snap: IndexSnapshot, now = Date.now()): number {
  return now - Date.parse(snap.fetchedAt);
}
