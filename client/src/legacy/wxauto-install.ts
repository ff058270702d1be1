// Installing from a WXAUTO-MGT source: its index pins no hash and lists no key, so the user must opt in
// (--allow-unpinned). The bytes are hashed as they stream in, and from there the normal install takes over:
// the computed sha256 is what the lockfile pins, and WASM admission and the atomic placement still apply.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import {
  type ExportSpec,
  mapWxautoPermissions,
  type Permissions,
  type Release,
  WharfError,
  WXAUTO_PERMISSIONS,
} from '@wharf/schemas';
import { tempPathFor } from '../fs/atomic-write.js';
import { type HomePaths, layoutDir } from '../home.js';
import { Catalog, type CatalogEntry, type PluginAddress } from '../index/catalog.js';
import { FetchFailure } from '../index/http-fetch.js';
import { admitWasm } from '../install/admit-wasm.js';
import { ArtifactCache } from '../install/artifact-cache.js';
import { ARTIFACT_LIMITS, type Progress } from '../install/download-artifact.js';
import { ArtifactHasher } from '../install/hash-stream.js';
import { type InstallOptions, type InstallResult, installPlugin, MAX_ARTIFACT_BYTES } from '../install/install.js';
import { type LegacyRelease, type ReleaseLookupOptions, resolveLegacyRelease, WASM_ASSET } from './github-releases.js';
import { fetchLegacyBytes, legacyChunks } from './https-fetch.js';
import { isLegacySnapshot, type LegacySnapshot } from './wxauto-source.js';

const MAX_MINISIG_BYTES = 4096;

export interface LegacyPermissionView {
  /** The entry's WXAUTO-MGT permission strings as listed. */
  declared: string[];
  /** What they map onto in Extism terms (allowed_hosts, allowed_paths + wasi, config_keys). */
  permissions: Permissions;
  /** Known WXAUTO permissions no Extism host can grant: installing refuses with E_PERMISSION_UNSUPPORTED. */
  unsupported: Array<{ name: string; label: string; label_zh: string }>;
  /** Strings that are not WXAUTO permissions at all: installing refuses with E_PERMISSION_UNKNOWN. */
  unknown: string[];
}

export interface LegacyInfoView {
  type: 'wxauto';
  unverified: true;
  legacy_id?: string;
  permissions: LegacyPermissionView;
  install: string;
}

export function legacyPermissions(entry: CatalogEntry): LegacyPermissionView {
  const snap = entry.snapshot as LegacySnapshot;
  const declared = snap.legacy.permissions[entry.plugin.plugin_id] ?? [];
  const m = mapWxautoPermissions(declared);
  return {
    declared,
    permissions: m.permissions,
    unsupported: m.unsupported.map((name) => {
      const p = WXAUTO_PERMISSIONS[name];
      return { name, label: p?.label ?? name, label_zh: p?.label_zh ?? name };
    }),
    unknown: m.unknown,
  };
}

/** The extra `info` shows for a legacy entry; undefined for entries of signed sources. */
export function legacyInfo(entry: CatalogEntry): LegacyInfoView | undefined {
  if (!isLegacySnapshot(entry.snapshot)) return undefined;
  const perms = legacyPermissions(entry);
  const blocked = perms.unsupported.length > 0 || perms.unknown.length > 0;
  const view: LegacyInfoView = {
    type: 'wxauto',
    unverified: true,
    permissions: perms,
    install: blocked
      ? `not installable: ${[...perms.unsupported.map((u) => u.name), ...perms.unknown].join(', ')} cannot be granted to an Extism plugin`
      : `wharf install ${entry.address} --allow-unpinned (nothing in this index is signed or pinned)`,
  };
  if (entry.plugin.legacy_id) view.legacy_id = entry.plugin.legacy_id;
  return view;
}

/** Human lines for `wharf info`. */
export function legacyInfoLines(v: LegacyInfoView): string[] {
  const p = v.permissions;
  return [
    `legacy WXAUTO-MGT entry: UNVERIFIED (no signature, no pinned hash)${v.legacy_id ? `, listed as ${v.legacy_id}` : ''}`,
    `permissions: ${p.declared.join(', ') || 'none'}`,
    `  maps to: ${JSON.stringify({ ...p.permissions, justifications: undefined })}`,
    ...(p.unsupported.length
      ? [`  unsupported (E_PERMISSION_UNSUPPORTED): ${p.unsupported.map((u) => `${u.name} (${u.label})`).join(', ')}`]
      : []),
    ...(p.unknown.length ? [`  unknown (E_PERMISSION_UNKNOWN): ${p.unknown.join(', ')}`] : []),
    `unpinned install: ${v.install}`,
  ];
}

export interface LegacyInstallOptions extends InstallOptions, ReleaseLookupOptions {}

/** The refusals that need no network: not a legacy entry, no --allow-unpinned, permissions Extism can't grant. */
export function refuseLegacy(entry: CatalogEntry, opts: { allowUnpinned?: boolean }): LegacyPermissionView {
  if (!isLegacySnapshot(entry.snapshot))
    throw new WharfError('E_USAGE', `${entry.address} comes from a signed source; install it normally.`);
  if (!opts.allowUnpinned) {
    throw new WharfError(
      'E_UNPINNED',
      `${entry.address} comes from the legacy WXAUTO-MGT source "${entry.source}", whose index pins no hash or key. Pass --allow-unpinned to install it anyway; the sha256 of what is downloaded is then pinned in the lockfile.`,
    );
  }
  const perms = legacyPermissions(entry);
  if (perms.unsupported.length > 0) {
    throw new WharfError(
      'E_PERMISSION_UNSUPPORTED',
      `${entry.address} asks for ${perms.unsupported.map((u) => `${u.name} (${u.label})`).join(', ')}, which no Extism host grants.`,
      { unsupported: perms.unsupported.map((u) => u.name) },
    );
  }
  if (perms.unknown.length > 0) {
    throw new WharfError(
      'E_PERMISSION_UNKNOWN',
      `${entry.address} asks for permissions WXAUTO-MGT doesn't define: ${perms.unknown.join(', ')}.`,
      { unknown: perms.unknown },
    );
  }
  return perms;
}

/**
 * Install `addr` from a wxauto source. Refusals before any download: E_UNPINNED without allowUnpinned,
 * E_PERMISSION_UNSUPPORTED / E_PERMISSION_UNKNOWN for permissions Extism can't grant.
 */
export async function installWxauto(
  home: HomePaths,
  catalog: Catalog,
  addr: PluginAddress,
  opts: LegacyInstallOptions = {},
): Promise<InstallResult> {
  const entry = catalog.find(addr);
  const perms = refuseLegacy(entry, opts);
  if (opts.offline)
    throw new WharfError('E_NOT_FOUND', `${entry.address} is a legacy entry: finding its release needs the network.`);

  const rel = await resolveLegacyRelease(entry.plugin, addr.range, opts);
  const cache = new ArtifactCache(home);
  const got = await downloadUnpinned(rel, layoutDir(home, 'tmp'), opts.onProgress);
  let cachedHere = false;
  try {
    const bytes = readFileSync(got.path);
    // Admission before anything is stored; the exports come from the module, as WXAUTO entries declare none.
    const mod = admitWasm(bytes, { permissions: perms.permissions, exports: [] });
    const release = toRelease(rel, got, await fetchMinisig(rel, opts), perms.permissions, moduleExports(mod));
    cachedHere = !existsSync(cache.pathFor(got.sha256));
    cache.put(got.sha256, got.path);
    const pinned = pinRelease(catalog, entry, release);
    const r = await installPlugin(home, pinned, addr, { ...opts, allowUnpinned: true });
    return r.status === 'installed' ? { ...r, fromCache: false, url: got.url } : r;
  } catch (e) {
    // An inadmissible or refused artifact must not linger in the content cache either.
    if (cachedHere) cache.rm(got.sha256);
    throw e;
  } finally {
    rmSync(got.path, { force: true });
  }
}

/** A catalog where the entry carries exactly the release just hashed, so installPlugin pins those bytes. */
function pinRelease(catalog: Catalog, entry: CatalogEntry, release: Release): Catalog {
  const snapshots = catalog.snapshots.map((s) =>
    s !== entry.snapshot
      ? s
      : {
          ...s,
          registry: {
            ...s.registry,
            plugins: s.registry.plugins.map((p) =>
              p.plugin_id === entry.plugin.plugin_id ? { ...p, keys: [], releases: [release] } : p,
            ),
          },
        },
  );
  return new Catalog(catalog.sources, snapshots);
}

/** Callable exports, within what the lockfile schema allows for names and count. */
function moduleExports(mod: WebAssembly.Module): ExportSpec[] {
  return WebAssembly.Module.exports(mod)
    .filter((e) => e.kind === 'function' && /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/.test(e.name))
    .slice(0, 200)
    .map((e) => ({ name: e.name }));
}

function toRelease(
  rel: LegacyRelease,
  got: { url: string; sha256: string; size: number },
  minisig: string,
  permissions: Permissions,
  exports: ExportSpec[],
): Release {
  return {
    version: rel.version,
    tag: rel.tag,
    published_at: rel.published_at,
    artifact: { name: WASM_ASSET, size: got.size, sha256: got.sha256, urls: [got.url] },
    // Kept for the record in release.json; with no key in the index there is nothing to verify it against.
    minisig,
    keyid: '',
    exports,
    permissions,
    yanked: false,
  };
}

async function fetchMinisig(rel: LegacyRelease, opts: LegacyInstallOptions): Promise<string> {
  if (!rel.minisig) return '';
  try {
    const text = (await fetchLegacyBytes(rel.minisig.url, opts.limits ?? ARTIFACT_LIMITS, MAX_MINISIG_BYTES)).toString(
      'utf8',
    );
    return text.startsWith('untrusted comment:') ? text : '';
  } catch {
    return ''; // optional, and unverifiable without a pinned key: its absence changes nothing
  }
}

/**
 * Stream the asset to a temp file, hashing as it goes, capped at the size the release lists (or the global
 * cap). downloadArtifact needs a pinned sha256 to compare with; here there is none yet, this computes it.
 */
async function downloadUnpinned(
  rel: LegacyRelease,
  tmpDir: string,
  onProgress?: Progress,
): Promise<{ path: string; url: string; sha256: string; size: number }> {
  const url = rel.wasm.url;
  const cap = Math.min(rel.wasm.size ?? MAX_ARTIFACT_BYTES, MAX_ARTIFACT_BYTES);
  const tmp = tempPathFor(`${tmpDir}/artifact`);
  const fh = await open(tmp, 'wx', 0o644);
  const h = new ArtifactHasher();
  let ok = false;
  try {
    for await (const chunk of legacyChunks(url, ARTIFACT_LIMITS, { maxBytes: cap })) {
      h.update(chunk);
      await fh.write(chunk);
      onProgress?.(h.size, rel.wasm.size ?? 0);
    }
    const d = h.digest();
    if (rel.wasm.size !== undefined && d.size !== rel.wasm.size) {
      throw new WharfError(
        'E_ARTIFACT_HASH',
        `${url} served ${d.size} bytes; the release lists ${WASM_ASSET} as ${rel.wasm.size} bytes.`,
      );
    }
    if (rel.wasm.sha256 !== undefined && d.sha256 !== rel.wasm.sha256) {
      throw new WharfError(
        'E_ARTIFACT_HASH',
        `${url} served sha256 ${d.sha256.slice(0, 12)}…; the release lists ${WASM_ASSET} with digest ${rel.wasm.sha256.slice(0, 12)}….`,
      );
    }
    await fh.sync();
    ok = true;
    return { path: tmp, url, sha256: d.sha256, size: d.size };
  } catch (e) {
    if (e instanceof FetchFailure) {
      throw new WharfError(
        e.reason === 'too large' ? 'E_TOO_LARGE' : e.reason === 'timeout' ? 'E_TIMEOUT' : 'E_ALL_MIRRORS_FAILED',
        `Could not download ${url}: ${e.message}`,
      );
    }
    throw e;
  } finally {
    await fh.close();
    if (!ok) rmSync(tmp, { force: true });
  }
}
