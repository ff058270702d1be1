import type { SourceConfig } from '@wharf/schemas';
import type { HomePaths } from '../home.js';
import type { Catalog, CatalogEntry, PluginAddress } from '../index/catalog.js';
import type { IndexSnapshot } from '../index/index-cache.js';
import type { MirrorHealth, RefreshOptions } from '../index/refresh.js';
import type { InstallOptions, InstallResult } from '../install/install.js';
import type { LegacyInfoView } from '../legacy/wxauto-install.js';
import type { SearchFilters, SearchHit } from '../search/search.js';
import { tufMonolithic } from './kinds/tuf-monolithic.js';
import { tufSharded } from './kinds/tuf-sharded.js';
import { wxauto } from './kinds/wxauto.js';

export interface AddSourceInput {
  alias: string;
  url: string;
  mirrors?: string[];
  priority?: number;
  rootSha256?: string;
  rootFile?: string;
  /** 'wxauto': a legacy WXAUTO-MGT registry.json URL, unsigned, no root. */
  type?: 'tuf' | 'wxauto';
}

/** What a kind anchors a new source to: fields for its sources.json entry, and what to store under the lock. */
export interface SourceTrust {
  fields: Partial<Pick<SourceConfig, 'root_sha256'>>;
  /** Called under the home lock once the alias is known to be free. */
  store(home: HomePaths, alias: string): void;
}

/** What a kind's search and install see besides the catalog. */
export interface KindContext {
  home: HomePaths;
  offline?: boolean;
  refreshOpts: RefreshOptions;
  /** The layer's home lock, for a kind that fetches and caches while it answers (a sharded search index). */
  locked<T>(fn: () => Promise<T> | T): Promise<T>;
  /** Plugin ids installed from `alias`, kept fresh by any refresh a command makes. */
  installedIds(alias: string): string[];
}

/** The extras `wharf info` shows for an entry of this kind. */
export interface InfoExtras {
  legacy?: LegacyInfoView;
}

/**
 * How plugins of a kind are installed. Kinds that share a strategy object are installed in one call (one plan,
 * one lockfile swap); the layer runs every strategy's `check` before any strategy installs anything.
 */
export interface InstallStrategy {
  /** Refusals that need no network (legacy: E_UNPINNED, permissions no Extism host grants). */
  check?(catalog: Catalog, addrs: PluginAddress[], opts: InstallOptions): Promise<void> | void;
  install(ctx: KindContext, catalog: Catalog, addrs: PluginAddress[], opts: InstallOptions): Promise<InstallResult[]>;
}

/**
 * One kind of source behind one interface, as npm's pacote does it with fetchers: each kind supplies metadata
 * and bytes, and the layer above (source-set.ts) owns the home lock, the refresh report, failover bookkeeping
 * and the stale marks, so nothing above it branches on the kind. Kinds: monolithic TUF (one signed
 * registry.json), sharded TUF (hashed bins with per-plugin files, told apart from the verified targets metadata
 * by refresh.ts, so both TUF kinds refresh alike) and legacy WXAUTO-MGT (one unsigned registry.json).
 */
export interface SourceKind {
  readonly name: 'tuf-monolithic' | 'tuf-sharded' | 'wxauto';
  /** 0 for signed kinds, 1 for unsigned ones: their search hits come after, their installs run after. */
  readonly rank: number;
  /** `source add`: refuse input this kind can't take and obtain what it is trusted by (network: before the lock). */
  add(mirrors: string[], input: AddSourceInput): Promise<SourceTrust>;
  /** Home paths its refresh will use, checked for every source before any is refreshed (E_PATH_ESCAPE). */
  checkHome?(home: HomePaths, alias: string): void;
  /** Fetch and verify; on success the snapshot is also the new cache. `opts.plugins` matters only to kinds that fetch by plugin. */
  refresh(home: HomePaths, src: SourceConfig, opts: RefreshOptions): Promise<IndexSnapshot>;
  /** The last verified (or, for legacy, last mapped) snapshot, or undefined. */
  readCache(home: HomePaths, alias: string): IndexSnapshot | undefined;
  /** Each mirror on its own, changing nothing; undefined when the kind has no mirror test. */
  test?(home: HomePaths, src: SourceConfig, opts: RefreshOptions): Promise<MirrorHealth[]>;
  /** What the refresh report says of a snapshot besides its counts. */
  reportFields?(snap: IndexSnapshot): { unverified?: true; sharded?: true };
  /**
   * Of the plugin ids a command names, those whose files `snap` lacks: the layer fetches them (refresh with
   * `plugins`) under the lock before the command reads the catalog. Always [] for kinds holding the whole index.
   */
  ensure(snap: IndexSnapshot, ids: string[]): string[];
  /** Search `catalog`, which holds only this kind's snapshots. */
  search(ctx: KindContext, catalog: Catalog, query: string, filters: SearchFilters): Promise<SearchHit[]>;
  /**
   * Answer a search of one source from files the kind kept for its verified index (`index`: the cache meta's
   * sha256), without reading that index; undefined when it can't, and the layer loads the snapshot for `search`.
   */
  searchKept?(
    ctx: KindContext,
    src: { alias: string; current: boolean; index: { sha256: string } },
    query: string,
    filters: SearchFilters,
  ): Promise<SearchHit[] | undefined>;
  info(entry: CatalogEntry): Promise<InfoExtras>;
  readonly installer: InstallStrategy;
}

/** The kind `source add` uses for a requested type. */
export function kindForType(type: SourceConfig['type'] | undefined): SourceKind {
  return type === 'wxauto' ? wxauto : tufMonolithic;
}

/**
 * The kind of a configured source; with its snapshot, the TUF layout that snapshot was verified as. Before
 * a first refresh a TUF source is taken as monolithic, which refreshes the same way as the sharded kind.
 */
export function sourceKind(src: SourceConfig, snap?: Pick<IndexSnapshot, 'sharded'>): SourceKind {
  if (src.type === 'wxauto') return wxauto;
  return snap?.sharded ? tufSharded : tufMonolithic;
}
