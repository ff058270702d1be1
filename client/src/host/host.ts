import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { isWharfError, type LockEntry, WharfError } from '@wharf/schemas';
import { type AddSourceInput, WharfClient } from '../client.js';
import type { FetchLimits } from '../index/http-fetch.js';
import type { InstallOptions, InstallResult } from '../install/install.js';
import { readLockfile } from '../lockfile.js';
import { type LoadedPlugin, loadPlugin } from '../run/load-plugin.js';
import type { HostFunction, HostPolicy } from '../run/sandbox.js';
import { type CallError, CallStats } from './call-stats.js';

export interface HostOptions {
  /** Wharf home (sources, lockfile, plugins); default: the OS data dir. */
  home?: string;
  /** Sources to trust, each pinned by its root fingerprint; ones already configured (same alias and URL) are kept. */
  sources?: AddSourceInput[];
  /** Functions the app offers plugins in `extism:host/user`, by name; a plugin gets only those its manifest declares. */
  hostFunctions?: Record<string, HostFunction>;
  policy?: HostPolicy;
  offline?: boolean;
  limits?: FetchLimits;
  /** Install options for install/update, e.g. `yes` to consent to permission widening. */
  install?: Omit<InstallOptions, 'onProgress'>;
}

export interface PluginHealth {
  id: string;
  version: string;
  sha256: string;
  /** idle: no call yet; ok: no recent error; degraded: recent errors, last call fine; failing: last call failed. */
  status: 'idle' | 'ok' | 'degraded' | 'failing' | 'closed';
  calls: number;
  errors: number;
  last_error?: CallError;
  p50_ms: number;
  p95_ms: number;
  loaded_at: string;
  /** Times this plugin switched to a new version while loaded. */
  reloads: number;
  /** Old instances still finishing their in-flight calls. */
  draining: number;
  /** Why the last switch to a new version failed (the old one kept serving). */
  reload_error?: { code: string; message: string };
}

export interface UpdatedEvent {
  id: string;
  from: string;
  to: string;
  sha256: string;
}

export interface HostEvents {
  /** A newer version was installed (by host.update/install, or found in the lockfile at the next call). */
  updated: UpdatedEvent;
  /** A loaded plugin switched to the installed version; calls from now on run on it. */
  reloaded: UpdatedEvent;
  loaded: { id: string; version: string; sha256: string };
  /** A call failed; the error was also thrown to the caller. */
  'call-error': { id: string; export: string; error: WharfError };
  /** A switch to a new version failed; the old version keeps serving. */
  'reload-error': { id: string; error: WharfError };
}

export interface HostedPlugin {
  readonly id: string;
  /** The version calls run on now. */
  readonly version: string;
  call(exportName: string, input?: string | Uint8Array): Promise<Uint8Array>;
  /** `call`, decoded as UTF-8. */
  callText(exportName: string, input?: string | Uint8Array): Promise<string>;
  health(): PluginHealth;
  /** Unload: waits for in-flight calls, then frees the instance. */
  close(): Promise<void>;
}

/** One instantiated version of a plugin, reference-counted so that a retired one closes once idle. */
interface Instance {
  plugin: LoadedPlugin;
  entry: LockEntry;
  inflight: number;
  retired: boolean;
  closing?: Promise<void>;
  /** Resolves once the instance is closed. */
  closed: Promise<void>;
  markClosed: () => void;
}

function instance(plugin: LoadedPlugin): Instance {
  let markClosed = () => {};
  const closed = new Promise<void>((ok) => {
    markClosed = ok;
  });
  return { plugin, entry: plugin.entry, inflight: 0, retired: false, closed, markClosed };
}

/**
 * Embeds Wharf plugins in an app: install from signed sources, load into the sandbox, call, watch health, and
 * hot-reload. A loaded plugin checks the lockfile before each call (a stat, and a parse only when it changed);
 * when the installed sha256 differs it instantiates the new version, routes new calls to it and closes the old
 * instance once its in-flight calls finish, so no call fails because of an update.
 */
export class PluginHost {
  readonly client: WharfClient;
  private readonly emitter = new EventEmitter();
  private readonly loaded = new Map<string, Loaded>();
  private readonly functions = new Map<string, HostFunction>();
  /** The range each plugin was installed with here, so update stays within it. */
  private readonly ranges = new Map<string, string>();
  /** Last installed sha256 we announced per id, so each update is announced once. */
  private readonly announced = new Map<string, string>();
  private lockStamp = '';
  private lockEntries: Record<string, LockEntry> = {};
  private closed = false;

  constructor(readonly opts: HostOptions = {}) {
    this.client = new WharfClient({ home: opts.home, offline: opts.offline, limits: opts.limits });
    for (const [name, fn] of Object.entries(opts.hostFunctions ?? {})) this.registerFunction(name, fn);
  }

  on<K extends keyof HostEvents>(event: K, listener: (e: HostEvents[K]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  off<K extends keyof HostEvents>(event: K, listener: (e: HostEvents[K]) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  /** @internal */
  emit<K extends keyof HostEvents>(event: K, e: HostEvents[K]): void {
    this.emitter.emit(event, e);
  }

  /** Offer a host function by name; plugins loaded afterwards that declare it in permissions.host_functions get it. */
  registerFunction(name: string, fn: HostFunction): void {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name))
      throw new WharfError('E_USAGE', `host function names are identifiers, got ${JSON.stringify(name)}.`);
    this.functions.set(name, fn);
  }

  /** Add the configured sources that are not there yet. */
  async ensureSources(): Promise<void> {
    const have = this.client.sources().sources;
    for (const s of this.opts.sources ?? []) {
      const existing = have.find((x) => x.alias === s.alias);
      if (!existing) await this.client.addSource(s);
      else if (existing.mirrors[0] !== s.url)
        throw new WharfError(
          'E_SOURCE_CONFLICT',
          `Source "${s.alias}" is configured with ${existing.mirrors[0]}, not ${s.url}; remove it or use another alias.`,
        );
    }
  }

  /** Refresh the index, then install `id[@range]` (verified, atomic). A loaded plugin switches to it before returning. */
  async install(spec: string): Promise<InstallResult> {
    this.assertOpen();
    await this.refreshQuietly();
    const r = await this.client.install(spec, this.opts.install);
    const at = spec.lastIndexOf('@');
    if (at > 0) this.ranges.set(r.id, spec.slice(at + 1));
    this.announce(r);
    await this.loaded.get(r.id)?.prepare();
    return r;
  }

  /**
   * Refresh and move installed plugins (one, or all) to their newest version (within the range they were
   * installed with here). Emits 'updated' per plugin that changed. Loaded ones instantiate the new version now, so
   * the next call runs it without paying for the switch; calls already running finish on the old one.
   */
  async update(id?: string): Promise<UpdatedEvent[]> {
    this.assertOpen();
    await this.refreshQuietly();
    const ids = id ? [id] : Object.keys(readLockfile(this.client.home.lockfile).plugins);
    const results: InstallResult[] = [];
    const free = ids.filter((x) => !this.ranges.has(x));
    for (const x of ids.filter((x) => this.ranges.has(x)))
      results.push(await this.client.install(`${x}@${this.ranges.get(x)}`, this.opts.install));
    if (free.length) results.push(...(await this.client.update(free, this.opts.install)).updated);
    const updated = results.flatMap((r) => this.announce(r) ?? []);
    await Promise.all(updated.map((u) => this.loaded.get(u.id)?.prepare()));
    return updated;
  }

  /** Load an installed plugin. Loading the same id again returns the same handle. */
  async load(id: string, opts: { config?: Record<string, string> } = {}): Promise<HostedPlugin> {
    this.assertOpen();
    const have = this.loaded.get(id) ?? this.starting.get(id);
    if (have) return have;
    // Concurrent loads of one id share one instance; it joins `loaded` (and health) once it runs.
    const l = new Loaded(this, id, opts.config, () => this.loaded.delete(id));
    const started = l.start().then(() => {
      this.loaded.set(id, l);
      return l;
    });
    this.starting.set(id, started);
    try {
      return await started;
    } finally {
      this.starting.delete(id);
    }
  }
  private readonly starting = new Map<string, Promise<Loaded>>();

  health(): PluginHealth[] {
    return [...this.loaded.values()].map((l) => l.health());
  }

  /** Unload everything; waits for in-flight calls. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.loaded.values()].map((l) => l.close()));
    this.loaded.clear();
    this.emitter.removeAllListeners();
  }

  /** @internal The lockfile entry for id, re-read only when the lockfile changed on disk. */
  currentEntry(id: string): LockEntry | undefined {
    const path = this.client.home.lockfile;
    let stamp = '';
    try {
      const st = statSync(path);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      stamp = 'missing';
    }
    if (stamp !== this.lockStamp) {
      this.lockEntries = readLockfile(path).plugins;
      this.lockStamp = stamp;
    }
    return this.lockEntries[id];
  }

  /** @internal */
  loadInstance(id: string, config?: Record<string, string>): Promise<LoadedPlugin> {
    const entry = this.currentEntry(id);
    const missing = (entry?.permissions.host_functions ?? []).filter((f) => !this.functions.has(f));
    if (missing.length)
      throw new WharfError(
        'E_PERMISSION_UNSUPPORTED',
        `${id} needs the host function${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which this host does not offer.`,
      );
    const hostFunctions: Record<string, HostFunction> = {};
    for (const f of entry?.permissions.host_functions ?? []) hostFunctions[f] = this.functions.get(f) as HostFunction;
    return loadPlugin(this.client.home, id, { config, policy: this.opts.policy, hostFunctions });
  }

  /**
   * @internal Announce a version change once, whether this host installed it or a call found it in the lockfile
   * (another process ran `wharf update`). `from` undefined records the version without announcing it.
   */
  noteInstalled(entry: LockEntry, from: string | undefined): UpdatedEvent | undefined {
    if (this.announced.get(entry.id) === entry.sha256) return undefined;
    this.announced.set(entry.id, entry.sha256);
    if (from === undefined) return undefined;
    const e: UpdatedEvent = { id: entry.id, from, to: entry.version, sha256: entry.sha256 };
    this.emit('updated', e);
    return e;
  }

  private announce(r: InstallResult): UpdatedEvent | undefined {
    const entry = this.currentEntry(r.id);
    if (!entry) return undefined;
    return this.noteInstalled(entry, r.status === 'installed' ? r.previous : undefined);
  }

  private async refreshQuietly(): Promise<void> {
    await this.ensureSources();
    if (this.opts.offline || this.client.sources().sources.length === 0) return;
    // A failed source keeps its last verified index; install then reports what it can't find.
    await this.client.refresh();
  }

  private assertOpen(): void {
    if (this.closed) throw new WharfError('E_USAGE', 'This plugin host is closed.');
  }
}

class Loaded implements HostedPlugin {
  private current!: Instance;
  private readonly retired = new Set<Instance>();
  private readonly stats = new CallStats();
  private switching?: Promise<void>;
  private reloads = 0;
  private reloadError?: { code: string; message: string };
  private loadedAt = '';
  private closed = false;

  constructor(
    private readonly host: PluginHost,
    readonly id: string,
    private readonly config: Record<string, string> | undefined,
    private readonly onClose: () => void,
  ) {}

  get version(): string {
    return this.current.entry.version;
  }

  async start(): Promise<void> {
    const plugin = await this.host.loadInstance(this.id, this.config);
    this.current = instance(plugin);
    this.loadedAt = new Date().toISOString();
    this.host.noteInstalled(plugin.entry, undefined);
    this.host.emit('loaded', { id: this.id, version: plugin.entry.version, sha256: plugin.entry.sha256 });
  }

  call(exportName: string, input: string | Uint8Array = ''): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new WharfError('E_USAGE', `${this.id} was unloaded.`));
    // Synchronous in the common case (no new version): the hot path stays one stat and one sandbox call.
    let pending: Promise<void> | undefined;
    try {
      pending = this.maybeSwitch();
    } catch (e) {
      return Promise.reject(e);
    }
    return pending ? pending.then(() => this.invoke(exportName, input)) : this.invoke(exportName, input);
  }

  private async invoke(exportName: string, input: string | Uint8Array): Promise<Uint8Array> {
    const inst = this.current;
    inst.inflight++;
    const started = performance.now();
    try {
      const out = await inst.plugin.call(exportName, input);
      this.stats.record(performance.now() - started);
      return out;
    } catch (e) {
      const w = isWharfError(e) ? e : new WharfError('E_PLUGIN_TRAP', e instanceof Error ? e.message : String(e));
      this.stats.record(performance.now() - started, {
        export: exportName,
        code: w.code,
        message: w.message,
        at: new Date().toISOString(),
      });
      this.host.emit('call-error', { id: this.id, export: exportName, error: w });
      throw w;
    } finally {
      inst.inflight--;
      if (inst.retired && inst.inflight === 0) this.closeInstance(inst);
    }
  }

  async callText(exportName: string, input?: string | Uint8Array): Promise<string> {
    return Buffer.from(await this.call(exportName, input)).toString('utf8');
  }

  /** Switch to the installed version now if it changed (never throws: a failed switch is in health). */
  async prepare(): Promise<void> {
    if (this.closed) return;
    try {
      await this.maybeSwitch();
    } catch {
      // Uninstalled or unreadable lockfile: the next call reports it.
    }
  }

  /** When the lockfile pins other bytes than the ones running, switch (once, however many calls are waiting). */
  private maybeSwitch(): Promise<void> | undefined {
    if (this.switching) return this.switching;
    const entry = this.host.currentEntry(this.id);
    if (!entry) throw new WharfError('E_NOT_INSTALLED', `${this.id} was uninstalled while loaded.`);
    if (entry.sha256 === this.current.entry.sha256) return;
    if (this.reloadError && this.failedSha === entry.sha256) return; // already failed for these bytes: keep serving
    this.switching = (async () => {
      const old = this.current;
      try {
        const plugin = await this.host.loadInstance(this.id, this.config);
        this.current = instance(plugin);
        this.reloads++;
        this.reloadError = undefined;
        this.retire(old);
        const e = { id: this.id, from: old.entry.version, to: plugin.entry.version, sha256: plugin.entry.sha256 };
        this.host.noteInstalled(plugin.entry, old.entry.version);
        this.host.emit('reloaded', e);
      } catch (err) {
        const w = isWharfError(err) ? err : new WharfError('E_PLUGIN_TRAP', String(err));
        this.reloadError = { code: w.code, message: w.message };
        this.failedSha = entry.sha256;
        this.host.emit('reload-error', { id: this.id, error: w });
      }
    })().finally(() => {
      this.switching = undefined;
    });
    return this.switching;
  }
  private failedSha?: string;

  /** No new calls go to `inst`; it closes when its last in-flight call returns. */
  private retire(inst: Instance): void {
    inst.retired = true;
    this.retired.add(inst);
    if (inst.inflight === 0) this.closeInstance(inst);
  }

  private closeInstance(inst: Instance): void {
    inst.closing ??= inst.plugin
      .close()
      .catch(() => {})
      .finally(() => {
        this.retired.delete(inst);
        inst.markClosed();
      });
  }

  health(): PluginHealth {
    const s = this.stats;
    const status: PluginHealth['status'] = this.closed
      ? 'closed'
      : s.calls === 0
        ? 'idle'
        : s.lastCallOk === false
          ? 'failing'
          : s.recentErrors() > 0
            ? 'degraded'
            : 'ok';
    return {
      id: this.id,
      version: this.current.entry.version,
      sha256: this.current.entry.sha256,
      status,
      calls: s.calls,
      errors: s.errors,
      ...(s.lastError ? { last_error: s.lastError } : {}),
      p50_ms: s.percentile(50),
      p95_ms: s.percentile(95),
      loaded_at: this.loadedAt,
      reloads: this.reloads,
      draining: [...this.retired].filter((i) => i !== this.current).length,
      ...(this.reloadError ? { reload_error: this.reloadError } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    await this.switching;
    const all = [this.current, ...this.retired];
    for (const i of all) if (!i.retired) this.retire(i);
    await Promise.all(all.map((i) => i.closed));
  }
}

/** `const host = await createHost({ home, sources })`: a plugin host with its sources added (and trusted by fingerprint). */
export async function createHost(opts: HostOptions = {}): Promise<PluginHost> {
  const host = new PluginHost(opts);
  await host.ensureSources();
  return host;
}
