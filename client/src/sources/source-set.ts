import { isWharfError, type SourceConfig, type SourcesConfig, WharfError } from '@wharf/schemas';
import { type LockScope, withHomeLock } from '../home/home-lock.js';
import type { HomePaths } from '../home.js';
import { Catalog, type CatalogEntry, type PluginAddress } from '../index/catalog.js';
import type { FetchLimits } from '../index/http-fetch.js';
import { type IndexSnapshot, markStale, readCachedIndex, readCacheMeta } from '../index/index-cache.js';
import type { MirrorFailure, MirrorHealth, RefreshOptions, StagedRefresh } from '../index/refresh.js';
import type { InstallOptions, InstallResult } from '../install/install.js';
import { readLockfile } from '../lockfile.js';
import type { SearchFilters, SearchHit } from '../search/search.js';
import {
  type AddSourceInput,
  type InfoExtras,
  type InstallStrategy,
  type KindContext,
  kindForType,
  type SourceKind,
  sourceKind,
} from './source-kind.js';
import {
  checkAlias,
  checkSourceUrl,
  currentSource,
  findSource,
  orderedSources,
  readSources,
  writeSources,
} from './sources-config.js';

export interface RefreshReport {
  /** `plugins`: the plugins in the index; of a sharded one, the plugin files fetched so far (`sharded`). */
  refreshed: Array<{
    alias: string;
    mirror: string;
    targetsVersion: number;
    plugins: number;
    unverified?: true;
    sharded?: true;
  }>;
  failed: Array<{ alias: string; code: string; message: string; mirrors?: MirrorFailure[]; stale_age_ms?: number }>;
}

export interface SourceSetOptions {
  limits?: FetchLimits;
  offline?: boolean;
  hedgeDelayMs?: number;
  lockWaitMs?: number;
}

/**
 * The configured sources as one layer (pacote's role): it owns the home lock around refreshes, the refresh report,
 * the last-good mirror, the stale marks a failed refresh leaves, the plugin files a command must fetch first, and
 * how search hits and installs of several kinds are put together. What differs by kind (trust, metadata, bytes,
 * search rules, install strategy) is asked of the kind (source-kind.ts), so callers never branch on it.
 */
export class SourceSet {
  constructor(
    readonly home: HomePaths,
    private readonly opts: SourceSetOptions = {},
    /** Set on the view a locked section works through (within): its writers run in that section. */
    private readonly scope?: LockScope,
  ) {}

  /** This layer inside a section that holds the home lock: what it locks runs in that section at once. */
  within(scope: LockScope): SourceSet {
    return new SourceSet(this.home, this.opts, scope);
  }

  config(): SourcesConfig {
    return readSources(this.home.sourcesFile);
  }

  /** Writers run under the home lock (DESIGN §4); what they change is read again inside it. Re-entrant. */
  locked<T>(fn: (layer: SourceSet) => Promise<T> | T): Promise<T> {
    return withHomeLock(this.home, (scope) => fn(this.within(scope)), {
      waitMs: this.opts.lockWaitMs,
      scope: this.scope,
    });
  }

  private get refreshOpts(): RefreshOptions {
    return { limits: this.opts.limits, hedgeDelayMs: this.opts.hedgeDelayMs };
  }

  private get ctx(): KindContext {
    return {
      home: this.home,
      offline: this.opts.offline,
      refreshOpts: this.refreshOpts,
      locked: (fn) => this.locked(() => fn()),
      installedIds: (alias) => this.installedIds(alias),
    };
  }

  /** The kind of a snapshot's source, from the source's configured type and the layout it was verified as. */
  kindOf(cfg: SourcesConfig, snap: IndexSnapshot): SourceKind {
    return sourceKind(findSource(cfg, snap.alias), snap);
  }

  async add(input: AddSourceInput): Promise<SourceConfig> {
    checkAlias(input.alias);
    const conflict = (cfg: SourcesConfig) => {
      if (cfg.sources.some((s) => s.alias === input.alias))
        throw new WharfError(
          'E_SOURCE_CONFLICT',
          `A source named "${input.alias}" exists already; remove it first or pick another alias.`,
        );
    };
    conflict(this.config());
    const mirrors = [input.url, ...(input.mirrors ?? [])].map(checkSourceUrl);
    const type = input.type ?? 'tuf';
    // The trust anchor (a TUF root) is fetched before taking the lock (network time); sources.json is read again under it.
    const trust = await kindForType(type).add(mirrors, input);
    return this.locked(() => {
      const cfg = this.config();
      conflict(cfg);
      const src: SourceConfig = {
        alias: input.alias,
        type,
        mirrors,
        priority: input.priority ?? (cfg.sources.length ? Math.max(...cfg.sources.map((s) => s.priority)) + 10 : 10),
        ...trust.fields,
      };
      trust.store(this.home, src.alias);
      // Adding a source never moves the bare ids to it, whatever priority it asks for (tried first is not
      // addressed first): only `source use` does, so a third party can't shadow the official ids (DESIGN §3).
      if (cfg.current === undefined && cfg.sources.length > 0) cfg.current = currentSource(cfg)?.alias;
      cfg.sources.push(src);
      writeSources(this.home.sourcesFile, cfg);
      return src;
    });
  }

  /** Refresh every source (or one); a failed source keeps its last verified index, marked stale. */
  refresh(alias?: string): Promise<RefreshReport> {
    return this.locked((layer) => layer.refreshLocked(alias));
  }

  private async refreshLocked(alias?: string): Promise<RefreshReport> {
    const cfg = this.config();
    const targets = alias ? [findSource(cfg, alias)] : orderedSources(cfg);
    if (targets.length === 0)
      throw new WharfError(
        'E_SOURCE_UNKNOWN',
        'No sources configured. Add one with `wharf source add <alias> <url> --root-sha256 <hex>`.',
      );
    // Every source's home paths are checked before any is refreshed: a refused path changes nothing at all.
    for (const src of targets) sourceKind(src).checkHome?.(this.home, src.alias);
    const report: RefreshReport = { refreshed: [], failed: [] };
    for (const src of targets) {
      try {
        const snap = await sourceKind(src).refresh(this.home, src, {
          ...this.refreshOpts,
          plugins: this.installedIds(src.alias),
        });
        report.refreshed.push({
          alias: src.alias,
          mirror: snap.mirror,
          targetsVersion: snap.targetsVersion,
          plugins: snap.registry.plugins.length,
          ...sourceKind(src, snap).reportFields?.(snap),
        });
        if (src.last_good !== snap.mirror) this.rememberLastGood(src.alias, snap.mirror);
      } catch (e) {
        // A refused home path is not a mirror failure: nothing of it is to be recorded as stale.
        if (isWharfError(e) && e.code === 'E_PATH_ESCAPE') throw e;
        const w = e instanceof WharfError ? e : new WharfError('E_ALL_MIRRORS_FAILED', (e as Error).message);
        markStale(this.home, src.alias, w.code);
        const cached = readCachedIndex(this.home, src.alias);
        report.failed.push({
          alias: src.alias,
          code: w.code,
          message: w.message,
          mirrors: w.details?.mirrors as MirrorFailure[] | undefined,
          stale_age_ms: cached ? Date.now() - Date.parse(cached.fetchedAt) : undefined,
        });
      }
    }
    return report;
  }

  /** Plugin ids installed from `alias`: a sharded source keeps their signed files fresh on every refresh. */
  private installedIds(alias: string): string[] {
    return Object.values(readLockfile(this.home.lockfile).plugins)
      .filter((e) => e.source === alias)
      .map((e) => e.id.slice(e.id.indexOf(':') + 1));
  }

  private rememberLastGood(alias: string, mirror: string): void {
    const cfg = this.config();
    const s = cfg.sources.find((x) => x.alias === alias);
    if (!s) return;
    s.last_good = mirror;
    writeSources(this.home.sourcesFile, cfg);
  }

  /** `wharf source test`: each mirror's latency and health, verified on its own; trusted state is untouched. */
  async test(alias?: string): Promise<Array<{ alias: string; mirrors: MirrorHealth[] }>> {
    const cfg = this.config();
    const out: Array<{ alias: string; mirrors: MirrorHealth[] }> = [];
    for (const src of alias ? [findSource(cfg, alias)] : orderedSources(cfg)) {
      const test = sourceKind(src).test;
      if (test) out.push({ alias: src.alias, mirrors: await test(this.home, src, this.refreshOpts) });
    }
    return out;
  }

  /** The catalog from the verified cache; sources never refreshed are refreshed first (unless offline). */
  catalog(): Promise<Catalog> {
    const cfg = this.config();
    return this.catalogOf(cfg, orderedSources(cfg));
  }

  /** The catalog of some of `cfg`'s sources (in the order given), refreshing those never refreshed as catalog() does. */
  private async catalogOf(cfg: SourcesConfig, sources: SourceConfig[]): Promise<Catalog> {
    const snaps: IndexSnapshot[] = [];
    for (const src of sources) {
      const kind = sourceKind(src);
      const cached = () => kind.readCache(this.home, src.alias);
      let snap = cached();
      if (!snap && !this.opts.offline) {
        try {
          // Only a source never refreshed makes this reader a writer; another process may have done it meanwhile.
          snap = await this.locked(async () => cached() ?? (await kind.refresh(this.home, src, this.refreshOpts)));
        } catch (e) {
          if (cfg.sources.length === 1 || (isWharfError(e) && ['E_PATH_ESCAPE', 'E_HOME_LOCKED'].includes(e.code)))
            throw e;
        }
      }
      if (snap) snaps.push(snap);
    }
    return new Catalog(cfg, snaps);
  }

  /**
   * The catalog, with the plugin files `addrs` name fetched from sources whose kind has not fetched them yet
   * (DESIGN §3 "At scale": a command fetches only the bins and plugin files it needs). With `commit: false` the
   * fetched snapshots are verified but kept staged: `settle(true)` stores them once the command has succeeded,
   * `settle(false)` drops them, so a refused install leaves the home byte-identical.
   */
  async ensure(
    addrs: PluginAddress[],
    opts: { commit?: boolean } = {},
  ): Promise<{ catalog: Catalog; settle: (ok: boolean) => void }> {
    const catalog = await this.catalog();
    const none = { catalog, settle: () => {} };
    if (this.opts.offline) return none;
    const current = currentSource(catalog.sources)?.alias;
    const named = new Map<string, string[]>();
    for (const a of addrs) {
      const alias = a.alias ?? current;
      if (alias) named.set(alias, [...(named.get(alias) ?? []), a.id]);
    }
    const missing = new Map<string, string[]>();
    for (const [alias, ids] of named) {
      const snap = catalog.snapshots.find((x) => x.alias === alias);
      const need = snap ? this.kindOf(catalog.sources, snap).ensure(snap, ids) : [];
      if (need.length > 0) missing.set(alias, need);
    }
    if (missing.size === 0) return none;
    const staged: StagedRefresh[] = [];
    const defer = opts.commit === false ? { deferCommit: (s: StagedRefresh) => staged.push(s) } : {};
    const fresh = await this.locked(async () => {
      const out = new Map<string, IndexSnapshot>();
      try {
        for (const [alias, ids] of missing) {
          const src = findSource(catalog.sources, alias);
          out.set(
            alias,
            await sourceKind(src).refresh(this.home, src, {
              ...this.refreshOpts,
              plugins: [...this.installedIds(alias), ...ids],
              ...defer,
            }),
          );
        }
      } catch (e) {
        for (const s of staged) s.discard();
        throw e;
      }
      return out;
    });
    const snapshots = catalog.snapshots.map((s) => fresh.get(s.alias) ?? s);
    return {
      catalog: new Catalog(catalog.sources, snapshots),
      settle: (ok) => {
        for (const s of staged) ok ? s.commit() : s.discard();
      },
    };
  }

  /**
   * Each kind searches its own sources by its own rules (a legacy source answers as WXAUTO-MGT does); signed
   * kinds' hits come first, then the unsigned kinds' in the order their rules give. A kind may answer for a source
   * from files it kept for the source's verified index (searchKept), and then that index is not read at all; the
   * other sources' snapshots are loaded as the catalog loads them.
   */
  async search(query: string, filters: SearchFilters = {}): Promise<SearchHit[]> {
    const cfg = this.config();
    const sources = orderedSources(cfg);
    const current = currentSource(cfg)?.alias;
    const order = new Map(sources.map((s, i) => [s.alias, i]));
    type Part = { at: number; hits?: SearchHit[]; snap?: IndexSnapshot };
    const byKind = new Map<SourceKind, Part[]>();
    const add = (kind: SourceKind, part: Part) => byKind.set(kind, [...(byKind.get(kind) ?? []), part]);
    const rest: SourceConfig[] = [];
    for (const src of sources) {
      const index = sourceKind(src).searchKept ? readCacheMeta(this.home, src.alias) : undefined;
      const kind = sourceKind(src, index);
      const hits =
        index &&
        (await kind.searchKept?.(
          this.ctx,
          { alias: src.alias, current: src.alias === current, index },
          query,
          filters,
        ));
      if (hits) add(kind, { at: order.get(src.alias) ?? 0, hits });
      else rest.push(src);
    }
    const catalog = rest.length > 0 ? await this.catalogOf(cfg, rest) : undefined;
    for (const snap of catalog?.snapshots ?? []) add(this.kindOf(cfg, snap), { at: order.get(snap.alias) ?? 0, snap });
    // Scores compare only within one index (each source's has its own word statistics; a legacy source ranks by
    // WXAUTO-MGT's rules), so each kind's hits stay one block in its own order; blocks go signed first, then by
    // their first source's priority. A kind none of whose sources was answered from kept files searches them in
    // one call, as its rules may merge them.
    const blocks: Array<{ rank: number; first: number; hits: SearchHit[] }> = [];
    for (const [kind, parts] of byKind) {
      parts.sort((a, b) => a.at - b.at);
      const snaps = parts.flatMap((p) => (p.snap ? [p.snap] : []));
      const search = (s: IndexSnapshot[]) => kind.search(this.ctx, new Catalog(cfg, s), query, filters);
      let hits: SearchHit[] = [];
      if (snaps.length === parts.length) hits = await search(snaps);
      else for (const p of parts) hits.push(...(p.hits ?? (await search([p.snap as IndexSnapshot]))));
      blocks.push({ rank: kind.rank, first: parts[0]?.at ?? 0, hits });
    }
    blocks.sort((a, b) => a.rank - b.rank || a.first - b.first);
    return blocks.flatMap((b) => b.hits);
  }

  /** What `wharf info` adds for an entry of its kind. */
  info(catalog: Catalog, entry: CatalogEntry): Promise<InfoExtras> {
    return this.kindOf(catalog.sources, entry.snapshot).info(entry);
  }

  /**
   * Install `addrs` by their kinds' strategies: every strategy's refusals first, so none of them follows a
   * partial install; then the signed ones in one plan and lockfile swap, then the unsigned ones.
   */
  async install(catalog: Catalog, addrs: PluginAddress[], opts: InstallOptions): Promise<InstallResult[]> {
    const groups = new Map<InstallStrategy, { rank: number; addrs: PluginAddress[] }>();
    for (const a of addrs) {
      const kind = this.kindOf(catalog.sources, catalog.find(a).snapshot);
      const g = groups.get(kind.installer) ?? { rank: kind.rank, addrs: [] };
      g.addrs.push(a);
      groups.set(kind.installer, g);
    }
    const ordered = [...groups].sort((a, b) => a[1].rank - b[1].rank);
    for (const [strategy, g] of ordered) await strategy.check?.(catalog, g.addrs, opts);
    const results: InstallResult[] = [];
    // Inside a locked section the installers' own lock runs in it (install.ts takes the lock for direct callers).
    const scoped = this.scope ? { ...opts, scope: this.scope } : opts;
    for (const [strategy, g] of ordered) results.push(...(await strategy.install(this.ctx, catalog, g.addrs, scoped)));
    return results;
  }
}
