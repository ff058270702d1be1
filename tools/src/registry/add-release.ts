import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { verifyReleaseSignature } from '@wharf/client/signing';
import type { Manifest, Registry, RegistryPlugin, Release, RepoRef } from '@wharf/schemas';
import { forgeRepoRef, normalizeText, parseJson, WharfError } from '@wharf/schemas';
import { checkId, checkUrl, readManifest } from '../contract/schemas.js';
import { parsePublicKey } from '../contract/signing.js';
import { openRegistryEdit } from './registry-edit.js';
import { compareVersions, isPrerelease } from './semver-order.js';

/** Everything `addRelease` needs, already verified by the caller (the CLI here, the review bot later). */
export interface AddReleaseInput {
  manifest: Manifest;
  artifact: { name: string; size: number; sha256: string; urls: string[] };
  minisig: string; // full .minisig text
  keyid: string; // minisign key id of the signature
  publicKey: string; // minisign public key base64 line ("RW…")
  tag?: string; // default v<version>
  /** README.md at the tag, already through readmeText. */
  readme?: string;
  now?: Date;
}

/** registry.schema.json's cap on a release's README (characters). */
export const README_MAX = 65536;

/**
 * A README as the registry keeps it: UTF-8, NFC, LF, no control or bidi characters (E_TEXT_CONTROL_CHARS), at
 * most README_MAX characters (E_TOO_LARGE). `wharf-admin add --readme` and the review bot both go through it.
 */
export function readmeText(bytes: Uint8Array, what = 'README'): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new WharfError('E_SCHEMA', `${what} is not valid UTF-8`, { field: 'readme' });
  }
  const out = normalizeText(text, 'readme');
  if (out.length > README_MAX)
    throw new WharfError(
      'E_TOO_LARGE',
      `${what} has ${out.length} characters; the registry keeps at most ${README_MAX}`,
      {
        field: 'readme',
        limit: README_MAX,
      },
    );
  return out;
}

/** The review bot's README: kept when readmeText accepts it, else left out (a README never blocks a release). */
export function keptReadme(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes) return undefined;
  try {
    return readmeText(bytes) || undefined;
  } catch {
    return undefined;
  }
}

export interface AddReleaseOutcome {
  /** For a sharded registry: the head and this one plugin only. */
  registry: Registry;
  /** Sharded registries sign at once: the plugin's bin, the snapshot and the timestamp (DESIGN §9 Scale). */
  published?: { snapshotVersion: number; timestampVersion: number; bins: string[] };
  /** false when the same version with the same sha256 was already there: nothing to write. */
  changed: boolean;
  plugin: RegistryPlugin;
}

function shortDescription(text: string): string {
  const firstLine = text.split(/\r?\n/)[0]?.trim() ?? '';
  return firstLine.length <= 140 ? firstLine : `${firstLine.slice(0, 139)}…`;
}

// Known forges (GitHub, Gitee, Codeberg/Gitea) get their API and REST releases URLs derived; others keep the URL.
function repoRef(url: string | undefined): RepoRef {
  if (!url) return { url: '' };
  return forgeRepoRef(url) ?? { url };
}

/** latest = highest non-yanked non-prerelease (falls back to the highest non-yanked prerelease when none). */
export function summarizeVersions(releases: Release[], previousMinimum?: string): RegistryPlugin['versions'] {
  const live = releases.filter((r) => !r.yanked).map((r) => r.version);
  const stable = live.filter((v) => !isPrerelease(v)).sort(compareVersions);
  const pool = stable.length > 0 ? stable : [...live].sort(compareVersions);
  const latest = pool.at(-1) ?? '';
  const minimum = previousMinimum && live.includes(previousMinimum) ? previousMinimum : (pool[0] ?? '');
  // With only prereleases there is no stable one; the schema needs a version, so stable follows latest.
  return { latest, stable: stable.at(-1) ?? latest, minimum_supported: minimum };
}

function newRelease(input: AddReleaseInput, now: string): Release {
  const m = input.manifest;
  const release: Release = {
    version: m.version,
    tag: input.tag ?? `v${m.version}`,
    published_at: now,
    artifact: { ...input.artifact, urls: [...input.artifact.urls] },
    minisig: input.minisig,
    keyid: input.keyid,
    exports: m.exports,
    permissions: m.permissions,
    yanked: false,
  };
  if (m.compatibility) release.compatibility = m.compatibility;
  if (m.dependencies) release.dependencies = m.dependencies;
  if (input.readme) release.readme = input.readme;
  return release;
}

/**
 * Pure: returns a new registry with the release appended (creating the plugin entry on first release).
 * Refuses a changed hash for an existing version (E_VERSION_IMMUTABLE) and a signing key other than the pinned
 * active one (E_KEY_CHANGED). Does not verify signatures: callers do that before.
 */
export function addRelease(registry: Registry, input: AddReleaseInput): Registry {
  return addReleaseDetailed(registry, input).registry;
}

export function addReleaseDetailed(registry: Registry, input: AddReleaseInput): AddReleaseOutcome {
  const m = input.manifest;
  checkId(m.id);
  const now = (input.now ?? new Date()).toISOString();
  if (!registry.categories.some((c) => c.id === m.category)) {
    throw new WharfError('E_CATEGORY_UNKNOWN', `category ${JSON.stringify(m.category)} is not in this registry`, {
      category: m.category,
    });
  }
  const index = registry.plugins.findIndex((p) => p.plugin_id === m.id);
  const existing = index >= 0 ? registry.plugins[index] : undefined;

  if (existing) {
    const same = existing.releases.find((r) => r.version === m.version);
    if (same) {
      if (same.artifact.sha256 === input.artifact.sha256) return { registry, changed: false, plugin: existing };
      throw new WharfError(
        'E_VERSION_IMMUTABLE',
        `${m.id}@${m.version} is already published with sha256 ${same.artifact.sha256}; publish a new version instead`,
        { id: m.id, version: m.version, published: same.artifact.sha256, offered: input.artifact.sha256 },
      );
    }
    const active = existing.keys.find((k) => k.status === 'active');
    if (!active || active.keyid !== input.keyid || active.public_key !== input.publicKey) {
      throw new WharfError(
        'E_KEY_CHANGED',
        `${m.id} is pinned to key ${active?.keyid ?? '(none active)'} but this release is signed by ${input.keyid}; rotating needs a statement signed by the old key`,
        { id: m.id, pinned: active?.keyid, offered: input.keyid },
      );
    }
    const releases = [...existing.releases, newRelease(input, now)];
    const versions = summarizeVersions(releases, existing.versions.minimum_supported);
    // Display fields follow the newest release; keys, stats and review flags stay as maintainers set them.
    const display =
      versions.latest === m.version
        ? {
            name: m.name,
            short_description: shortDescription(m.description),
            description: m.description,
            tags: m.tags,
            license: m.license,
            category: m.category,
          }
        : {};
    const plugin: RegistryPlugin = { ...existing, ...display, releases, versions, updated_at: now };
    const plugins = registry.plugins.map((p, i) => (i === index ? plugin : p));
    return { registry: { ...registry, plugins, last_updated: now }, changed: true, plugin };
  }

  const releases = [newRelease(input, now)];
  const plugin: RegistryPlugin = {
    plugin_id: m.id,
    name: m.name,
    short_description: shortDescription(m.description),
    description: m.description,
    category: m.category,
    tags: m.tags,
    author: m.author,
    license: m.license,
    repository: { primary: repoRef(m.repository ?? m.homepage) },
    keys: [{ keyid: input.keyid, public_key: input.publicKey, status: 'active', since: now }],
    versions: summarizeVersions(releases),
    releases,
    stats: { downloads: 0, stars: 0 },
    status: 'active',
    verified: false,
    featured: false,
    created_at: now,
    updated_at: now,
  };
  if (m.name_zh) plugin.name_zh = m.name_zh;
  if (m.description_zh) plugin.description_zh = m.description_zh;
  if (m.homepage) plugin.homepage = m.homepage;
  return {
    registry: { ...registry, plugins: [...registry.plugins, plugin], last_updated: now },
    changed: true,
    plugin,
  };
}

export interface AddFromFilesOptions {
  manifestPath: string;
  wasmPath: string;
  sigPath: string;
  urls: string[];
  tag?: string;
  /** README.md to keep with the release (the catalog renders it). */
  readmePath?: string;
  now?: Date;
  /** Sharded registries only (they sign on add); default `<parent>/<basename>.keys/`. */
  keysDir?: string;
}

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new WharfError('E_IO', `cannot read ${what} ${path}: ${(e as Error).message}`, { path });
  }
}

/**
 * `wharf-admin add`: read and check everything, then edit `<dir>/registry.json` atomically. Every check runs
 * before the write, so a refusal leaves registry.json byte-identical. Does not re-sign; `publish` does. A sharded
 * registry is edited and signed at once: the plugin's file, its bin, the snapshot and the timestamp.
 */
export async function addReleaseFromFiles(registryDir: string, opts: AddFromFilesOptions): Promise<AddReleaseOutcome> {
  if (opts.urls.length === 0) throw new WharfError('E_USAGE', 'at least one --url is required');
  const manifest = readManifest(parseJson(await readInput(opts.manifestPath, 'manifest'), opts.manifestPath));
  const wasm = await readInput(opts.wasmPath, 'wasm');
  const minisig = (await readInput(opts.sigPath, 'signature')).toString('utf8');
  for (const url of opts.urls) checkUrl(url, { allowLoopback: true });
  const readme =
    opts.readmePath === undefined ? undefined : readmeText(await readInput(opts.readmePath, 'README'), opts.readmePath);
  if (!manifest.signing_key) {
    throw new WharfError('E_SIG_INVALID', `${opts.manifestPath} has no signing_key; releases must be signed`);
  }

  const sha256 = createHash('sha256').update(wasm).digest('hex');
  const pk = parsePublicKey(manifest.signing_key);
  // The review bot's check, through the same function: what one accepts, the other does.
  const sig = verifyReleaseSignature({
    data: new Uint8Array(wasm),
    sha256,
    minisig,
    publicKey: manifest.signing_key,
    id: manifest.id,
    version: manifest.version,
  });

  const edit = await openRegistryEdit(registryDir, [manifest.id]);
  const outcome = addReleaseDetailed(edit.registry, {
    manifest,
    artifact: { name: manifest.wasm || basename(opts.wasmPath), size: wasm.length, sha256, urls: opts.urls },
    minisig,
    keyid: sig.keyid,
    publicKey: pk.base64,
    ...(opts.tag !== undefined ? { tag: opts.tag } : {}),
    ...(readme ? { readme } : {}),
    ...(opts.now !== undefined ? { now: opts.now } : {}),
  });
  if (!outcome.changed) return outcome;
  // Monolithic: registry.json only, `publish` signs. Sharded: signed at once (only the touched bin re-signs).
  const saved = await edit.save(outcome.registry, {
    ...(opts.keysDir ? { keysDir: opts.keysDir } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  return saved.published ? { ...outcome, published: saved.published } : outcome;
}
