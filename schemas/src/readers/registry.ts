// readRegistry: native registry.json, or a WXAUTO-MGT registry.json read as a legacy (unpinned) source.
import { DEFAULT_CATEGORIES, DEFAULT_CATEGORY } from '../categories.js';
import { type DocumentKind, detectKind } from '../detect.js';
import { WharfError } from '../errors.js';
import { idCollisionKey } from '../rules.js';
import type { Category, PluginStatus, Registry, RegistryPlugin, RepoRef, WxautoExtras } from '../types.js';
import { assertRegistry } from '../validate.js';
import {
  deepNormalize,
  forgeRepoRef,
  httpsUrl,
  isCjk,
  isRecord,
  nonNegativeInt,
  releasesApiUrl,
  str,
  toAuthor,
  toDateTime,
  toSemver,
  toTags,
  toWharfId,
  truncate,
} from './legacy-values.js';

export type RegistryKind = Extract<DocumentKind, 'registry' | 'wxauto-registry'>;

export interface RegistryReading {
  registry: Registry;
  kind: RegistryKind;
  /** What a legacy mapping dropped or changed, one sentence each (entries skipped included); empty for native. */
  notes: string[];
}

const STATUSES: readonly PluginStatus[] = ['active', 'deprecated', 'suspended', 'removed'];
const EPOCH = '1970-01-01T00:00:00Z';

function mapCategory(raw: unknown): Category | undefined {
  if (!isRecord(raw)) return undefined;
  const id = str(raw.id);
  if (id === undefined || !/^[a-z][a-z0-9_-]{0,62}$/.test(id)) return undefined;
  const seed = DEFAULT_CATEGORIES.find((c) => c.id === id);
  const name = str(raw.name);
  const icon = str(raw.icon);
  if (seed) {
    // Known ids keep the English seed text; WXAUTO's Chinese name becomes name_zh.
    return {
      ...seed,
      name_zh: name && isCjk(name) ? truncate(name, 100) : seed.name_zh,
      icon: icon ? truncate(icon, 32) : seed.icon,
    };
  }
  const label = truncate(name ?? id, 100);
  return {
    id,
    name: label,
    name_zh: label,
    description: truncate(str(raw.description) ?? '', 500),
    icon: truncate(icon ?? '📦', 32),
  };
}

function mapRepoRef(raw: unknown): RepoRef | undefined {
  if (!isRecord(raw)) return undefined;
  const url = httpsUrl(raw.url);
  if (url === undefined) return undefined;
  // A known forge gets what the entry left out from its URL; a releases_url that is the HTML page becomes the
  // REST list both clients read.
  const forge = forgeRepoRef(url);
  const ref: RepoRef = { url };
  const api = httpsUrl(raw.api_url) ?? forge?.api_url;
  if (api) ref.api_url = api;
  const releases = httpsUrl(raw.releases_url);
  const releasesUrl = releases ? releasesApiUrl(releases) : forge?.releases_url;
  if (releasesUrl) ref.releases_url = releasesUrl;
  return ref;
}

const strList = (raw: unknown, maxItems: number, maxLength: number): string[] =>
  Array.isArray(raw)
    ? raw
        .map(str)
        .filter((x): x is string => x !== undefined && x.length <= maxLength)
        .slice(0, maxItems)
    : [];

/** What Wharf has no field for, kept for the export (WXAUTO-MGT's MarketplacePlugin dataclass fields). */
function wxautoExtras(raw: Record<string, unknown>): WxautoExtras | undefined {
  const x: WxautoExtras = {};
  if (isRecord(raw.compatibility)) {
    const c = raw.compatibility;
    const compat: NonNullable<WxautoExtras['compatibility']> = {};
    for (const k of ['min_wxauto_version', 'max_wxauto_version', 'python_version'] as const) {
      const v = str(c[k]);
      if (v && v.length <= 64) compat[k] = v;
    }
    if (Array.isArray(c.supported_os)) compat.supported_os = strList(c.supported_os, 20, 32);
    if (Object.keys(compat).length) x.compatibility = compat;
  }
  if (Array.isArray(raw.permissions)) x.permissions = strList(raw.permissions, 100, 64);
  if (Array.isArray(raw.dependencies)) x.dependencies = strList(raw.dependencies, 100, 200);
  if (Array.isArray(raw.features)) x.features = strList(raw.features, 50, 200);
  if (Array.isArray(raw.screenshots))
    x.screenshots = raw.screenshots
      .map(httpsUrl)
      .filter((u): u is string => u !== undefined)
      .slice(0, 20);
  for (const k of ['demo_video', 'documentation', 'issue_tracker'] as const) {
    const u = httpsUrl(raw[k]);
    if (u) x[k] = u;
  }
  const website = isRecord(raw.author) ? httpsUrl(raw.author.website) : undefined;
  if (website) x.author_website = website;
  const stats = isRecord(raw.stats) ? raw.stats : {};
  if (typeof stats.forks === 'number') x.forks = nonNegativeInt(stats.forks);
  if (typeof stats.rating_count === 'number') x.rating_count = nonNegativeInt(stats.rating_count);
  const r = raw.review;
  const score = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 100 ? v : undefined);
  if (isRecord(r)) {
    const reviewer = str(r.reviewer);
    const date = str(r.review_date);
    const sec = score(r.security_score);
    const qual = score(r.quality_score);
    if (reviewer && date && sec !== undefined && qual !== undefined)
      x.review = {
        reviewer: truncate(reviewer, 100),
        review_date: truncate(date, 64),
        security_score: sec,
        quality_score: qual,
        comments: truncate(typeof r.comments === 'string' ? r.comments : '', 2000),
      };
  }
  return Object.keys(x).length ? x : undefined;
}

function mapPlugin(
  raw: Record<string, unknown>,
  categories: Category[],
  lastUpdated: string,
  notes: string[],
): RegistryPlugin | undefined {
  const legacy = str(raw.plugin_id) ?? '';
  const where = `entry "${legacy}"`;
  const id = toWharfId(legacy);
  if (id === undefined) {
    notes.push(`${where} skipped: its id cannot be made valid`);
    return undefined;
  }
  const repoRaw = isRecord(raw.repository) ? raw.repository : {};
  const primary = mapRepoRef(repoRaw.primary) ?? mapRepoRef({ url: raw.homepage });
  if (primary === undefined) {
    notes.push(`${where} skipped: no https repository URL`);
    return undefined;
  }
  const latest = toSemver(isRecord(raw.versions) ? raw.versions.latest : raw.version);
  if (latest === undefined) {
    notes.push(`${where} skipped: no SemVer latest version`);
    return undefined;
  }
  const versions = isRecord(raw.versions) ? raw.versions : {};
  const stable = toSemver(versions.stable) ?? latest;
  const name = truncate(str(raw.name) ?? legacy, 100);
  const description = truncate(str(raw.description) ?? str(raw.short_description) ?? name, 10000);
  const short = truncate(str(raw.short_description) ?? description, 300);
  let category = str(raw.category) ?? DEFAULT_CATEGORY;
  if (!categories.some((c) => c.id === category)) {
    notes.push(`${where}: category "${category}" unknown, using "${DEFAULT_CATEGORY}"`);
    category = DEFAULT_CATEGORY;
    if (!categories.some((c) => c.id === DEFAULT_CATEGORY)) {
      const seed = DEFAULT_CATEGORIES.find((c) => c.id === DEFAULT_CATEGORY);
      if (seed) categories.push({ ...seed });
    }
  }
  const stats = isRecord(raw.stats) ? raw.stats : {};
  const status = STATUSES.find((s) => s === raw.status) ?? (raw.status === undefined ? 'active' : 'suspended');
  if (raw.status !== undefined && status !== raw.status)
    notes.push(`${where}: status ${JSON.stringify(raw.status)} read as suspended`);
  const created = toDateTime(raw.created_at) ?? lastUpdated;
  const plugin: RegistryPlugin = {
    plugin_id: id,
    name,
    short_description: short,
    description,
    category,
    tags: toTags(raw.tags),
    author: toAuthor(raw.author),
    license: truncate(str(raw.license) ?? 'NOASSERTION', 128),
    repository: { primary },
    // WXAUTO entries pin nothing: no keys, no releases. Installing from them needs --allow-unpinned.
    keys: [],
    versions: { latest, stable, minimum_supported: toSemver(versions.minimum_supported) ?? stable },
    releases: [],
    stats: { downloads: nonNegativeInt(stats.downloads), stars: nonNegativeInt(stats.stars) },
    status,
    verified: raw.verified === true,
    featured: raw.featured === true,
    created_at: created,
    updated_at: toDateTime(raw.updated_at) ?? created,
  };
  // Kept so the original id stays usable on that source (`wharf install smart_keyword_matcher`).
  if (id !== legacy) {
    if (/^[A-Za-z0-9_-]{1,128}$/.test(legacy)) plugin.legacy_id = legacy;
    else notes.push(`${where}: listed as ${id}; its original id can't be kept (only letters, digits, "_" and "-")`);
  }
  if (isCjk(name)) plugin.name_zh = name;
  if (isCjk(description)) plugin.description_zh = description;
  const mirror = mapRepoRef(repoRaw.mirror);
  if (mirror) plugin.repository.mirror = mirror;
  const homepage = httpsUrl(raw.homepage);
  if (homepage) plugin.homepage = homepage;
  else if (raw.homepage !== undefined) notes.push(`${where}: homepage dropped, not https`);
  if (typeof stats.rating === 'number' && stats.rating >= 0 && stats.rating <= 5) plugin.stats.rating = stats.rating;
  const extras = wxautoExtras(raw);
  if (extras) plugin.wxauto = extras;
  const replacedBy = str(raw.replaced_by);
  const replacement = replacedBy === undefined ? undefined : toWharfId(replacedBy);
  if (replacement && replacement !== id) plugin.replaced_by = replacement;
  return plugin;
}

function fromWxauto(x: Record<string, unknown>, notes: string[]): Registry {
  const lastUpdated = toDateTime(x.last_updated) ?? EPOCH;
  const categories: Category[] = [];
  for (const c of Array.isArray(x.categories) ? x.categories : []) {
    const cat = mapCategory(c);
    if (cat && !categories.some((k) => k.id === cat.id)) categories.push(cat);
    else notes.push(`category ${JSON.stringify(isRecord(c) ? c.id : c)} skipped`);
  }
  if (categories.length === 0) categories.push(...DEFAULT_CATEGORIES.map((c) => ({ ...c })));
  const plugins: RegistryPlugin[] = [];
  const taken = new Map<string, string>();
  for (const raw of Array.isArray(x.plugins) ? x.plugins : []) {
    if (!isRecord(raw)) {
      notes.push('a non-object plugin entry skipped');
      continue;
    }
    const p = mapPlugin(raw, categories, lastUpdated, notes);
    if (!p) continue;
    // Rewriting ids can make two legacy ids meet (a_b and a-b); the first one keeps the name.
    const clash = taken.get(idCollisionKey(p.plugin_id));
    if (clash !== undefined) {
      notes.push(`entry "${p.legacy_id ?? p.plugin_id}" skipped: its id collides with "${clash}"`);
      continue;
    }
    taken.set(idCollisionKey(p.plugin_id), p.plugin_id);
    plugins.push(p);
  }
  return {
    schema_version: 1,
    name: truncate(str(x.name) ?? 'WXAUTO-MGT plugin marketplace', 100),
    last_updated: lastUpdated,
    categories,
    plugins,
  };
}

/** Reads a native or WXAUTO-MGT registry and returns it validated, with notes on what a legacy mapping lost. */
export function readRegistryWithNotes(x: unknown): RegistryReading {
  const kind = detectKind(x);
  const input = deepNormalize(x);
  if (!isRecord(input) || (kind !== 'registry' && kind !== 'wxauto-registry')) {
    throw new WharfError(
      'E_SCHEMA',
      kind === undefined
        ? 'Not a registry: the document matches no known format.'
        : `Not a registry: this looks like a ${kind}.`,
      { kind },
    );
  }
  const notes: string[] = [];
  const mapped = kind === 'registry' ? input : fromWxauto(input, notes);
  return { registry: assertRegistry(mapped), kind, notes };
}

/** Native or WXAUTO-MGT registry.json → a validated native Registry (throws WharfError). */
export function readRegistry(x: unknown): Registry {
  return readRegistryWithNotes(x).registry;
}
