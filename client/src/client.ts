import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ErrorCode,
  type LockEntry,
  type RegistryPlugin,
  type SourceConfig,
  type SourcesConfig,
  WharfError,
} from '@wharf/schemas';
import { type HomeLockOptions, withHomeLockSync } from './home/home-lock.js';
import { checkRemoval, removeInHome } from './home/home-path.js';
import { type HomePaths, openHome } from './home.js';
import { type Catalog, parseAddress } from './index/catalog.js';
import type { FetchLimits } from './index/http-fetch.js';
import { cacheFilesOf, searchDirsOf } from './index/index-cache.js';
import type { MirrorHealth } from './index/refresh.js';
import type { InstallOptions, InstallResult } from './install/install.js';
import type { OutdatedEntry } from './install/outdated.js';
import { removeVersionDir } from './install/version-dir.js';
import { readLockfile, versionDirOf, writeLockfile } from './lockfile.js';
import type { LoadedPlugin, LoadOptions } from './run/load-plugin.js';
import type { SearchFilters, SearchHit } from './search/search.js';
import type { AddSourceInput, InfoExtras } from './sources/source-kind.js';
import { type RefreshReport, SourceSet } from './sources/source-set.js';
import { checkAlias, findSource, readSources, writeSources } from './sources/sources-config.js';

export type { AddSourceInput, RefreshReport };

// What only some commands need is imported by the methods (or the source kinds) that use it: tuf-js (refresh),
// the install pipeline (semver, signing, WASM admission), Extism (run) and the search engine (search), so `wharf list`
// loads none of them.

export interface ClientOptions {
  home?: string;
  /** Deadlines and size caps of every request (the CLI's --timeout sets two of them). */
  limits?: FetchLimits;
  offline?: boolean;
  /** Silence on a mirror before the next one is started in parallel (default 200 ms). */
  hedgeDelayMs?: number;
  /** How long a writer waits for another process's home lock before E_HOME_LOCKED (default WHARF_LOCK_WAIT_MS or 60 s). */
  lockWaitMs?: number;
  /**
   * When the leftovers of crashed runs are cleared (openHome): when the client is made (default), or at its first
   * change to the home, under the lock (the CLI: its read-only commands then list no directories to clean).
   */
  sweep?: 'open' | 'first-lock';
}

/** The library behind the `wharf` CLI; each method is one command. */
export class WharfClient {
  readonly home: HomePaths;
  /** Verification, cache, failover and staleness of every kind of source, behind one interface. */
  private readonly layer: SourceSet;
  constructor(readonly opts: ClientOptions = {}) {
    this.home = openHome(opts.home, { sweep: opts.sweep });
    this.layer = new SourceSet(this.home, opts);
  }

  sources(): SourcesConfig {
    return readSources(this.home.sourcesFile);
  }

  private get lockOpts(): HomeLockOptions {
    return { waitMs: this.opts.lockWaitMs };
  }

  /** Writers run under the home lock (DESIGN §4); what they change is read again inside it. */
  private locked<T>(fn: (layer: SourceSet) => Promise<T> | T): Promise<T> {
    return this.layer.locked(fn);
  }

  private lockedSync<T>(fn: () => T): T {
    return withHomeLockSync(this.home, fn, this.lockOpts);
  }

  addSource(input: AddSourceInput): Promise<SourceConfig> {
    return this.layer.add(input);
  }

  removeSource(alias: string): void {
    this.lockedSync(() => {
      const cfg = this.sources(); // validated first: a path posing as an alias there is E_PATH_ESCAPE
      checkAlias(alias);
      findSource(cfg, alias);
      // Everything that will be removed is checked first: a link there refuses before anything changes.
      const caches = cacheFilesOf(alias);
      const dirs = [['trust', alias], ...searchDirsOf(alias)];
      for (const d of dirs) checkRemoval(this.home.root, d, 'dir');
      for (const f of caches) checkRemoval(this.home.root, f, 'file');
      cfg.sources = cfg.sources.filter((s) => s.alias !== alias);
      if (cfg.current === alias) delete cfg.current;
      writeSources(this.home.sourcesFile, cfg);
      for (const d of dirs) removeInHome(this.home.root, d, 'dir');
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
    return this.layer.refresh(alias);
  }

  /** `wharf source test`: each mirror's latency and health, verified on its own; trusted state is untouched. */
  testSources(alias?: string): Promise<Array<{ alias: string; mirrors: MirrorHealth[] }>> {
    return this.layer.test(alias);
  }

  /** The catalog from the verified cache; sources never refreshed are refreshed first (unless offline). */
  catalog(): Promise<Catalog> {
    return this.layer.catalog();
  }

  async search(query: string, filters?: SearchFilters): Promise<SearchHit[]> {
    return this.layer.search(query, filters);
  }

  async info(spec: string): Promise<
    {
      address: string;
      source: string;
      plugin: RegistryPlugin;
      installed?: LockEntry;
    } & InfoExtras
  > {
    const addr = parseAddress(spec);
    const { catalog } = await this.layer.ensure([addr]);
    const e = catalog.find(addr);
    return {
      address: e.address,
      source: e.source,
      plugin: e.plugin,
      installed: readLockfile(this.home.lockfile).plugins[e.address],
      ...(await this.layer.info(catalog, e)),
    };
  }

  async install(spec: string, opts: InstallOptions = {}): Promise<InstallResult> {
    return (await this.installMany([spec], opts))[0] as InstallResult;
  }

  /** Install several plugins with their dependencies in one lockfile swap; the requested ones come first. */
  installMany(specs: string[], opts: InstallOptions = {}): Promise<InstallResult[]> {
    return this.locked((layer) => this.installManyLocked(layer, specs, opts));
  }

  private async installManyLocked(layer: SourceSet, specs: string[], opts: InstallOptions): Promise<InstallResult[]> {
    const addrs = specs.map(parseAddress);
    const { catalog, settle } = await layer.ensure(addrs, { commit: false });
    let results: InstallResult[];
    try {
      results = await layer.install(catalog, addrs, opts);
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
    return this.locked((layer) => this.updateLocked(layer, ids, opts));
  }

  private async updateLocked(
    layer: SourceSet,
    ids: string[] | undefined,
    opts: InstallOptions,
  ): Promise<{ updated: InstallResult[]; skipped: OutdatedEntry[] }> {
    const catalog = await layer.catalog();
    const { findOutdated } = await import('./install/outdated.js');
    const todo = findOutdated(catalog, readLockfile(this.home.lockfile), ids);
    const go = todo.filter((o) => o.change !== 'downgrade' || opts.allowDowngrade);
    const skipped = todo.filter((o) => !go.includes(o));
    if (go.length === 0) return { updated: [], skipped };
    const addrs = go.map((o) => ({ ...parseAddress(o.id), range: o.latest }));
    const results = await layer.install(catalog, addrs, opts);
    return { updated: results.filter((r) => r.status === 'installed'), skipped };
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
  async verify(
    opts: { full?: boolean } = {},
  ): Promise<Array<{ id: string; ok: boolean; problem?: string; code?: ErrorCode }>> {
    // The signing module is loaded only for --full: a plain verify hashes and compares.
    const signing = opts.full ? await import('./install/verify-installed.js') : undefined;
    return this.list().map((e) => {
      const p = join(this.home.root, e.path);
      if (!existsSync(p)) return { id: e.id, ok: false, problem: `missing ${e.path}` };
      const bytes = readFileSync(p);
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (sha !== e.sha256)
        return { id: e.id, ok: false, problem: `sha256 ${sha} differs from the lockfile's ${e.sha256}` };
      if (!signing) return { id: e.id, ok: true };
      try {
        signing.verifyInstalledSignature(this.home, e, bytes);
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
