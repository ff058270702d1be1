import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ErrorCode,
  isWharfError,
  type LockEntry,
  type RegistryPlugin,
  type SourceConfig,
  type SourcesConfig,
  WharfError,
} from '@wharf/schemas';
import { type HomeLockOptions, withHomeLock, withHomeLockSync } from './home/home-lock.js';
import { checkRemoval, removeInHome } from './home/home-path.js';
import { type HomePaths, openHome } from './home.js';
import { Catalog, type PluginAddress, parseAddress } from './index/catalog.js';
import type { FetchLimits } from './index/http-fetch.js';
import { cacheFilesOf, type IndexSnapshot, markStale, readCachedIndex } from './index/index-cache.js';
import type { MirrorFailure, MirrorHealth, StagedRefresh } from './index/refresh.js';
import { guardStaleInstall } from './index/stale-guard.js';
import type { InstallOptions, InstallResult } from './install/install.js';
import type { OutdatedEntry } from './install/outdated.js';
import { verifyInstalledSignature } from './install/verify-installed.js';
import { removeVersionDir } from './install/version-dir.js';
import type { LegacyInfoView } from './legacy/wxauto-install.js';
import { addWxautoSource, isLegacyEntry, isLegacySnapshot } from './legacy/wxauto-source.js';
import { readLockfile, versionDirOf, writeLockfile } from './lockfile.js';
import type { LoadedPlugin, LoadOptions } from './run/load-plugin.js';
import type { SearchFilters, SearchHit } from './search/search.js';
import { obtainRoot, storeRoot, trustedMetadata } from './sources/root-trust.js';
import { sourceKind } from './sources/source-kind.js';
import {
  checkAlias,
  checkSourceUrl,
  currentSource,
  findSource,
  orderedSources,
  readSources,
  writeSources,
} from './sources/sources-config.js';

// What only some commands need is imported by the methods that use it: tuf-js (refresh, through source-kind.ts),
// the install pipeline (semver, signing, WASM admission), Extism (run) and MiniSearch (search), so `wharf list`
// loads none of them.
const installing = () => import('./install/install.js');
const installingLegacy = () => import('./legacy/wxauto-install.js');

export interface ClientOptions {
  home?: string;
  /** Extra source URLs for this run only (the CLI's --source); trusted by fingerprint like any other. */
  limits?: FetchLimits;
  offline?: boolean;
  /** Silence on a mirror before the next one is started in parallel (default 200 ms). */
  hedgeDelayMs?: number;
  /** How long a writer waits for another process's home lock before E_HOME_LOCKED (default WHARF_LOCK_WAIT_MS or 60 s). */
  lockWaitMs?: number;
}

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

export interface RefreshReport {
  refreshed: Array<{ alias: string; mirror: string; targetsVersion: number; plugins: number; unverified?: true }>;
  failed: Array<{ alias: string; code: string; message: string; mirrors?: MirrorFailure[]; stale_age_ms?: number }>;
}

/** The library behind the `wharf` CLI; each method is one command. */
export class WharfClient {
  readonly home: HomePaths;
  constructor(readonly opts: ClientOptions = {}) {
    this.home = openHome(opts.home);
  }

  sources(): SourcesConfig {
    return readSources(this.home.sourcesFile);
  }

  private get lockOpts(): HomeLockOptions {
    return { waitMs: this.opts.lockWaitMs };
  }

  /** Writers run under the home lock (DESIGN §4); what they change is read again inside it. */
  private locked<T>(fn: () => Promise<T> | T): Promise<T> {
    return withHomeLock(this.home, fn, this.lockOpts);
  }

  private lockedSync<T>(fn: () => T): T {
    return withHomeLockSync(this.home, fn, this.lockOpts);
  }

  async addSource(input: AddSourceInput): Promise<SourceConfig> {
    if (input.type === 'wxauto') return this.locked(() => addWxautoSource(this.home, input));
    checkAlias(input.alias);
    const conflict = (cfg: SourcesConfig) => {
      if (cfg.sources.some((s) => s.alias === input.alias))
        throw new WharfError(
          'E_SOURCE_CONFLICT',
          `A source named "${input.alias}" exists already; remove it first or pick another alias.`,
        );
    };
    conflict(this.sources());
    const mirrors = [input.url, ...(input.mirrors ?? [])].map(checkSourceUrl);
    // The root is fetched before taking the lock (network time); sources.json is read again under it.
    const root = await obtainRoot(mirrors, input);
    return this.locked(() => {
      const cfg = this.sources();
      conflict(cfg);
      const src: SourceConfig = {
        alias: input.alias,
        type: 'tuf',
        mirrors,
        priority: input.priority ?? (cfg.sources.length ? Math.max(...cfg.sources.map((s) => s.priority)) + 10 : 10),
        root_sha256: root.sha256,
      };
      storeRoot(this.home, src.alias, root.bytes);
      // Adding a source never moves the bare ids to it, whatever priority it asks for (tried first is not
      // addressed first): only `source use` does, so a third party can't shadow the official ids (DESIGN §3).
      if (cfg.current === undefined && cfg.sources.length > 0) cfg.current = currentSource(cfg)?.alias;
      cfg.sources.push(src);
      writeSources(this.home.sourcesFile, cfg);
      return src;
    });
  }

  removeSource(alias: string): void {
    this.lockedSync(() => {
      const cfg = this.sources(); // validated first: a path posing as an alias there is E_PATH_ESCAPE
      checkAlias(alias);
      findSource(cfg, alias);
      // Everything that will be removed is checked first: a link there refuses before anything changes.
      const caches = cacheFilesOf(alias);
      checkRemoval(this.home.root, ['trust', alias], 'dir');
      for (const f of caches) checkRemoval(this.home.root, f, 'file');
      cfg.sources = cfg.sources.filter((s) => s.alias !== alias);
      if (cfg.current === alias) delete cfg.current;
      writeSources(this.home.sourcesFile, cfg);
      removeInHome(this.home.root, ['trust', alias], 'dir');
      for (const f of caches) removeInHome(this.home.root, f, 'file');
    });
  }

  useSource(alias: string): void {
    this.lockedSync(() => {
      const cfg = this.sources();
      findSource(cfg, alias);
      cfg.current = alias;
      writeSources(this.home.sourcesFile, cfg);
    });
  }

  /** Refresh every source (or one); a failed source keeps its last verified index, marked stale. */
  refresh(alias?: string): Promise<RefreshReport> {
    return this.locked(() => this.refreshLocked(alias));
  }

  private async refreshLocked(alias?: string): Promise<RefreshReport> {
    const cfg = this.sources();
    const targets = alias ? [findSource(cfg, alias)] : orderedSources(cfg);
    if (targets.length === 0)
      throw new WharfError(
        'E_SOURCE_UNKNOWN',
        'No sources configured. Add one with `wharf source add <alias> <url> --root-sha256 <hex>`.',
      );
    // Every source's trusted dir is checked before any is refreshed: a refused path changes nothing at all.
    for (const src of targets) if (src.type === 'tuf') trustedMetadata(this.home, src.alias);
    const report: RefreshReport = { refreshed: [], failed: [] };
    for (const src of targets) {
      try {
        const snap = await sourceKind(src).refresh(this.home, src, {
          ...this.refreshOpts(),
          plugins: this.installedIds(src.alias),
        });
        report.refreshed.push({
          alias: src.alias,
          mirror: snap.mirror,
          targetsVersion: snap.targetsVersion,
          plugins: snap.registry.plugins.length,
          ...(isLegacySnapshot(snap) ? { unverified: true as const } : {}),
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

  private refreshOpts() {
    return { limits: this.opts.limits, hedgeDelayMs: this.opts.hedgeDelayMs };
  }

  /** Plugin ids installed from `alias`: a sharded source keeps their signed files fresh on every refresh. */
  private installedIds(alias: string): string[] {
    return Object.values(readLockfile(this.home.lockfile).plugins)
      .filter((e) => e.source === alias)
      .map((e) => e.id.slice(e.id.indexOf(':') + 1));
  }

  /**
   * The catalog, with the plugin files `addrs` name fetched from sharded sources that have not fetched them yet
   * (DESIGN §3 "At scale": a command fetches only the bins and plugin files it needs). With `commit: false` the
   * fetched snapshots are verified but kept staged: `settle(true)` stores them once the command has succeeded,
   * `settle(false)` drops them, so a refused install leaves the home byte-identical.
   */
  private async catalogFor(
    addrs: PluginAddress[],
    opts: { commit?: boolean } = {},
  ): Promise<{ catalog: Catalog; settle: (ok: boolean) => void }> {
    const catalog = await this.catalog();
    const none = { catalog, settle: () => {} };
    if (this.opts.offline) return none;
    const current = currentSource(catalog.sources)?.alias;
    const missing = new Map<string, string[]>();
    for (const a of addrs) {
      const alias = a.alias ?? current;
      const snap = catalog.snapshots.find((x) => x.alias === alias);
      if (!alias || !snap?.sharded || a.legacyId || snap.registry.plugins.some((p) => p.plugin_id === a.id)) continue;
      missing.set(alias, [...(missing.get(alias) ?? []), a.id]);
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
              ...this.refreshOpts(),
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

  /** `wharf source test`: each mirror's latency and health, verified on its own; trusted state is untouched. */
  async testSources(alias?: string): Promise<Array<{ alias: string; mirrors: MirrorHealth[] }>> {
    const cfg = this.sources();
    const out: Array<{ alias: string; mirrors: MirrorHealth[] }> = [];
    for (const src of alias ? [findSource(cfg, alias)] : orderedSources(cfg)) {
      const test = sourceKind(src).test;
      if (test) out.push({ alias: src.alias, mirrors: await test(this.home, src, this.refreshOpts()) });
    }
    return out;
  }

  private rememberLastGood(alias: string, mirror: string): void {
    const cfg = this.sources();
    const s = cfg.sources.find((x) => x.alias === alias);
    if (!s) return;
    s.last_good = mirror;
    writeSources(this.home.sourcesFile, cfg);
  }

  /** The catalog from the verified cache; sources never refreshed are refreshed first (unless offline). */
  async catalog(): Promise<Catalog> {
    const cfg = this.sources();
    const snaps: IndexSnapshot[] = [];
    for (const src of orderedSources(cfg)) {
      const kind = sourceKind(src);
      const cached = () => kind.readCache(this.home, src.alias);
      let snap = cached();
      if (!snap && !this.opts.offline) {
        try {
          // Only a source never refreshed makes this reader a writer; another process may have done it meanwhile.
          snap = await this.locked(async () => cached() ?? (await kind.refresh(this.home, src, this.refreshOpts())));
        } catch (e) {
          if (cfg.sources.length === 1 || (isWharfError(e) && ['E_PATH_ESCAPE', 'E_HOME_LOCKED'].includes(e.code)))
            throw e;
        }
      }
      if (snap) snaps.push(snap);
    }
    return new Catalog(cfg, snaps);
  }

  async search(query: string, filters?: SearchFilters): Promise<SearchHit[]> {
    const catalog = await this.catalog();
    const sharded = await this.searchSharded(catalog, query, filters);
    const [{ searchCatalog }, { withLegacyHits }] = await Promise.all([
      import('./search/search.js'),
      import('./legacy/wxauto-search.js'),
    ]);
    const rest = new Catalog(
      catalog.sources,
      catalog.snapshots.filter((s) => !sharded.has(s.alias)),
    );
    const native = searchCatalog(rest, query, filters);
    // Sources in source order: a sharded source's hits where that source stands among the others'.
    const order = catalog.snapshots.map((s) => s.alias);
    const hits = order.flatMap((a) => sharded.get(a) ?? native.filter((h) => h.source === a));
    // Legacy (wxauto) sources answer with WXAUTO-MGT's own rules, after the signed sources' hits.
    return withLegacyHits(catalog, query, filters ?? {}, hits);
  }

  /** Sharded sources search through their signed search index (search/sharded-search.ts). */
  private async searchSharded(
    catalog: Catalog,
    query: string,
    filters?: SearchFilters,
  ): Promise<Map<string, SearchHit[]>> {
    const out = new Map<string, SearchHit[]>();
    const snaps = catalog.snapshots.filter((s) => s.sharded);
    if (snaps.length === 0) return out;
    const { searchShardedSource } = await import('./search/sharded-search.js');
    const current = currentSource(catalog.sources)?.alias;
    for (const snap of snaps) {
      const src = findSource(catalog.sources, snap.alias);
      const hits = await searchShardedSource(
        {
          home: this.home,
          src,
          current: snap.alias === current,
          offline: this.opts.offline,
          limits: this.opts.limits,
          hedgeDelayMs: this.opts.hedgeDelayMs,
          lockWaitMs: this.opts.lockWaitMs,
          installed: this.installedIds(snap.alias),
        },
        query,
        filters,
      );
      if (hits) out.set(snap.alias, hits);
    }
    return out;
  }

  async info(spec: string): Promise<{
    address: string;
    source: string;
    plugin: RegistryPlugin;
    installed?: LockEntry;
    legacy?: LegacyInfoView;
  }> {
    const addr = parseAddress(spec);
    const e = (await this.catalogFor([addr])).catalog.find(addr);
    return {
      address: e.address,
      source: e.source,
      plugin: e.plugin,
      installed: readLockfile(this.home.lockfile).plugins[e.address],
      legacy: isLegacyEntry(e) ? (await installingLegacy()).legacyInfo(e) : undefined,
    };
  }

  async install(spec: string, opts: InstallOptions = {}): Promise<InstallResult> {
    return (await this.installMany([spec], opts))[0] as InstallResult;
  }

  /** Install several plugins with their dependencies in one lockfile swap; the requested ones come first. */
  installMany(specs: string[], opts: InstallOptions = {}): Promise<InstallResult[]> {
    return this.locked(() => this.installManyLocked(specs, opts));
  }

  private async installManyLocked(specs: string[], opts: InstallOptions): Promise<InstallResult[]> {
    const addrs = specs.map(parseAddress);
    const { catalog, settle } = await this.catalogFor(addrs, { commit: false });
    let results: InstallResult[];
    try {
      results = await this.installAddresses(catalog, addrs, opts);
    } catch (e) {
      settle(false);
      throw e;
    }
    settle(true);
    const asked = addrs.map((a) => catalog.find(a).address);
    return [
      ...asked.map((id) => results.find((r) => r.id === id) as InstallResult),
      ...results.filter((r) => !asked.includes(r.id)),
    ];
  }

  /** Installed plugins that have a newer (or, when yanked, different) usable version. */
  async outdated(ids?: string[]): Promise<OutdatedEntry[]> {
    const { findOutdated } = await import('./install/outdated.js');
    return findOutdated(await this.catalog(), readLockfile(this.home.lockfile), ids);
  }

  /**
   * Move installed plugins (all, or `ids`) to their newest usable version. Downgrades (the index only has lower
   * versions, e.g. after a yank) are skipped unless allowDowngrade.
   */
  update(ids?: string[], opts: InstallOptions = {}): Promise<{ updated: InstallResult[]; skipped: OutdatedEntry[] }> {
    return this.locked(() => this.updateLocked(ids, opts));
  }

  private async updateLocked(
    ids: string[] | undefined,
    opts: InstallOptions,
  ): Promise<{ updated: InstallResult[]; skipped: OutdatedEntry[] }> {
    const catalog = await this.catalog();
    const { findOutdated } = await import('./install/outdated.js');
    const todo = findOutdated(catalog, readLockfile(this.home.lockfile), ids);
    const go = todo.filter((o) => o.change !== 'downgrade' || opts.allowDowngrade);
    const skipped = todo.filter((o) => !go.includes(o));
    if (go.length === 0) return { updated: [], skipped };
    const addrs = go.map((o) => ({ ...parseAddress(o.id), range: o.latest }));
    const native = addrs.filter((a) => !isLegacyEntry(catalog.find(a)));
    const legacy = addrs.filter((a) => isLegacyEntry(catalog.find(a)));
    const results = [
      ...(native.length ? await this.installAddresses(catalog, native, opts) : []),
      ...(legacy.length ? await this.installAddresses(catalog, legacy, opts) : []),
    ];
    return { updated: results.filter((r) => r.status === 'installed'), skipped };
  }

  /** Legacy (unpinned) sources go their own way; signed ones through the stale guard and the planner. */
  private async installAddresses(
    catalog: Catalog,
    addrs: PluginAddress[],
    opts: InstallOptions,
  ): Promise<InstallResult[]> {
    if (addrs.some((a) => isLegacyEntry(catalog.find(a))))
      return (await installingLegacy()).installLegacyAware(this.home, catalog, addrs, {
        offline: this.opts.offline,
        ...opts,
      });
    const { installPlugins } = await installing();
    return guardStaleInstall(catalog, addrs, this.opts.offline, (offline) =>
      installPlugins(this.home, catalog, addrs, { offline, ...opts }),
    );
  }

  list(): LockEntry[] {
    return Object.values(readLockfile(this.home.lockfile).plugins);
  }

  /** Under the home lock: the lockfile read, the entry dropped, its version dir removed (checked first). */
  uninstall(spec: string): LockEntry {
    const { id, alias } = parseAddress(spec);
    const key = alias ? `${alias}:${id}` : id;
    return this.lockedSync(() => {
      const lock = readLockfile(this.home.lockfile);
      const entry = lock.plugins[key];
      if (!entry) throw new WharfError('E_NOT_INSTALLED', `${key} is not installed.`);
      checkRemoval(this.home.root, versionDirOf(entry), 'dir');
      delete lock.plugins[key];
      writeLockfile(this.home.lockfile, lock);
      removeVersionDir(this.home, entry.path);
      return entry;
    });
  }

  /**
   * Re-hash every installed plugin against the lockfile. `full` also runs the whole `minisign -V` check of each
   * artifact against the key the verified index lists (DESIGN §3); install itself checks only the global signature
   * and the trusted comment's sha256.
   */
  verify(opts: { full?: boolean } = {}): Array<{ id: string; ok: boolean; problem?: string; code?: ErrorCode }> {
    return this.list().map((e) => {
      const p = join(this.home.root, e.path);
      if (!existsSync(p)) return { id: e.id, ok: false, problem: `missing ${e.path}` };
      const bytes = readFileSync(p);
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (sha !== e.sha256)
        return { id: e.id, ok: false, problem: `sha256 ${sha} differs from the lockfile's ${e.sha256}` };
      if (!opts.full) return { id: e.id, ok: true };
      try {
        verifyInstalledSignature(this.home, e, bytes);
      } catch (err) {
        if (err instanceof WharfError) return { id: e.id, ok: false, problem: err.message, code: err.code };
        throw err;
      }
      return { id: e.id, ok: true };
    });
  }

  async load(id: string, opts?: LoadOptions): Promise<LoadedPlugin> {
    const { loadPlugin } = await import('./run/load-plugin.js');
    return loadPlugin(this.home, id, opts);
  }

  /** Load, call one export, close. */
  async run(id: string, exportName: string, input: string | Uint8Array, opts?: LoadOptions): Promise<Uint8Array> {
    const p = await this.load(id, opts);
    try {
      return await p.call(exportName, input);
    } finally {
      await p.close();
    }
  }
}
