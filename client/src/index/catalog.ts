import {
  checkId,
  isValidId,
  type RegistryPlugin,
  type SourceConfig,
  type SourcesConfig,
  WharfError,
} from '@wharf/schemas';
import { currentSource, orderedSources } from '../sources/sources-config.js';
import { closestIds } from './closest-ids.js';
import type { IndexSnapshot } from './index-cache.js';

/** One plugin as the user addresses it: bare id in the current source, `<alias>:<id>` elsewhere. */
export interface CatalogEntry {
  address: string;
  source: string;
  plugin: RegistryPlugin;
  snapshot: IndexSnapshot;
}

export interface PluginAddress {
  alias?: string;
  id: string;
  range?: string;
  /**
   * Set when `id` breaks the id rule but has the shape of a WXAUTO-MGT id (smart_keyword_matcher): it can only
   * name a legacy entry by its `legacy_id`, and is never used as a path. Catalog.find resolves it or refuses.
   */
  legacyId?: true;
}

/** The shape registry.schema.json allows for legacy_id, starting with a letter (so never `__proto__` or `..`). */
const LEGACY_ID = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;

/** Parse `[alias:]id[@range]`; the id rule runs before the id is used anywhere (paths, lookups). */
export function parseAddress(spec: string): PluginAddress {
  const at = spec.indexOf('@', 1);
  const name = at === -1 ? spec : spec.slice(0, at);
  const range = at === -1 ? undefined : spec.slice(at + 1);
  const colon = name.indexOf(':');
  const alias = colon === -1 ? undefined : name.slice(0, colon);
  const id = colon === -1 ? name : name.slice(colon + 1);
  let legacyId: true | undefined;
  if (!isValidId(id)) {
    if (!LEGACY_ID.test(id)) checkId(id);
    legacyId = true;
  }
  if (alias !== undefined && !/^[a-z][a-z0-9-]{0,31}$/.test(alias)) {
    throw new WharfError('E_ID_INVALID', `"${alias}" is not a source alias.`);
  }
  return { alias, id, range: range || undefined, ...(legacyId ? { legacyId } : {}) };
}

/**
 * All the plugins the client can see, behind one interface so that a sharded index (DESIGN §9) changes
 * only how snapshots are loaded, not the callers.
 */
export class Catalog {
  readonly entries: CatalogEntry[] = [];
  private readonly byAddress = new Map<string, CatalogEntry>();
  /** Entries of legacy (WXAUTO-MGT) sources by the id that source lists them under, addressed the same way. */
  private readonly byLegacyId = new Map<string, CatalogEntry>();

  constructor(
    readonly sources: SourcesConfig,
    readonly snapshots: IndexSnapshot[],
  ) {
    const current = currentSource(sources)?.alias;
    const order = new Map(orderedSources(sources).map((s, i) => [s.alias, i]));
    const sorted = [...snapshots].sort((a, b) => (order.get(a.alias) ?? 99) - (order.get(b.alias) ?? 99));
    for (const snap of sorted) {
      for (const plugin of snap.registry.plugins) {
        if (plugin.status === 'removed') continue;
        const address = snap.alias === current ? plugin.plugin_id : `${snap.alias}:${plugin.plugin_id}`;
        const entry = { address, source: snap.alias, plugin, snapshot: snap };
        this.entries.push(entry);
        this.byAddress.set(address, entry);
        this.byAddress.set(`${snap.alias}:${plugin.plugin_id}`, entry);
        const legacy = plugin.legacy_id;
        if (legacy && sources.sources.find((s) => s.alias === snap.alias)?.type === 'wxauto') {
          if (snap.alias === current) this.byLegacyId.set(legacy, entry);
          this.byLegacyId.set(`${snap.alias}:${legacy}`, entry);
        }
      }
    }
  }

  get stale(): IndexSnapshot[] {
    return this.snapshots.filter((s) => s.stale);
  }

  find(addr: PluginAddress): CatalogEntry {
    const key = addr.alias ? `${addr.alias}:${addr.id}` : addr.id;
    if (addr.legacyId) {
      const legacy = this.byLegacyId.get(key);
      if (legacy) return legacy;
      // Not a legacy id of any WXAUTO source: the id rule's refusal, as before legacy ids were accepted.
      checkId(addr.id);
    }
    const e = this.byAddress.get(key);
    if (!e) {
      // `local:count-vowels` only when its bare id isn't suggested too.
      const close = closestIds(key, this.byAddress.keys(), 6);
      const near = close.filter((k) => !(k.includes(':') && close.includes(k.slice(k.indexOf(':') + 1)))).slice(0, 3);
      const hint =
        this.snapshots.length === 0
          ? ' No index is loaded: add a source and run `wharf refresh`.'
          : near.length
            ? ` Did you mean ${near.join(', ')}?`
            : ' Try `wharf search <words>`.';
      throw new WharfError('E_NOT_FOUND', `No plugin "${key}" in the configured sources.${hint}`);
    }
    return e;
  }

  source(alias: string): SourceConfig | undefined {
    return this.sources.sources.find((s) => s.alias === alias);
  }
}
