import type { SourceConfig } from '@wharf/schemas';
import type { HomePaths } from '../home.js';
import { type IndexSnapshot, readCachedIndex } from '../index/index-cache.js';
import type { MirrorHealth, RefreshOptions } from '../index/refresh.js';
import { readWxautoCache, refreshWxautoSource } from '../legacy/wxauto-source.js';

/**
 * One kind of source behind one interface, as npm's pacote does it with fetchers: the client asks a kind to
 * refresh, to read its verified cache and to test its mirrors, and never branches on the kind itself. The signed
 * kind covers both TUF layouts (one registry.json, or hashed bins with per-plugin files: refresh.ts tells them
 * apart from the verified targets metadata); the legacy kind reads an unsigned WXAUTO-MGT registry.json.
 */
export interface SourceKind {
  /** Fetch and verify; on success the snapshot is also the new cache. `opts.plugins` matters only to kinds that fetch by plugin. */
  refresh(home: HomePaths, src: SourceConfig, opts: RefreshOptions): Promise<IndexSnapshot>;
  /** The last verified (or, for legacy, last mapped) snapshot, or undefined. */
  readCache(home: HomePaths, alias: string): IndexSnapshot | undefined;
  /** Each mirror on its own, changing nothing; undefined when the kind has no mirror test. */
  test?(home: HomePaths, src: SourceConfig, opts: RefreshOptions): Promise<MirrorHealth[]>;
}

// tuf-js is loaded by the first refresh, not by every command that reads the cache (`wharf list`, `search`).
const refreshing = () => import('../index/refresh.js');

const tuf: SourceKind = {
  refresh: async (home, src, opts) => (await refreshing()).refreshSource(home, src, opts),
  readCache: readCachedIndex,
  test: async (home, src, opts) => (await refreshing()).testMirrors(home, src, opts),
};

const wxauto: SourceKind = {
  refresh: (home, src, opts) => refreshWxautoSource(home, src, opts),
  readCache: readWxautoCache,
};

export function sourceKind(src: SourceConfig): SourceKind {
  return src.type === 'wxauto' ? wxauto : tuf;
}
