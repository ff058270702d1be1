import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { type LockEntry, type Release, WharfError } from '@wharf/schemas';
import semver from 'semver';
import { fsyncDir, TEMP_MARK, writeFileAtomic } from '../fs/atomic-write.js';
import type { HomePaths } from '../home.js';
import type { Catalog, CatalogEntry, PluginAddress } from '../index/catalog.js';
import { readLockfile, writeLockfile } from '../lockfile.js';
import { verifyArtifactSignature } from '../signing/index.js';
import { admitWasm } from './admit-wasm.js';
import { ArtifactCache } from './artifact-cache.js';
import { downloadArtifact, type Progress } from './download-artifact.js';
import { resolveRelease } from './resolve-version.js';
import { safeDir } from './safe-path.js';

export interface InstallOptions {
  allowDowngrade?: boolean;
  onProgress?: Progress;
  /** Refuse to touch the network: install only from the artifact cache. */
  offline?: boolean;
}

export interface InstallResult {
  id: string;
  version: string;
  previous?: string;
  sha256: string;
  size: number;
  path: string;
  status: 'installed' | 'unchanged';
  fromCache: boolean;
  url?: string;
}

/** Max artifact size we will even consider, whatever the index says (DESIGN §5 limits). */
export const MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;

/** Where a plugin's versions live: bare id for the current source, `<alias>.<id>` otherwise (':' breaks Windows). */
export function pluginDirName(entry: CatalogEntry): string {
  return entry.address.includes(':') ? `${entry.source}.${entry.plugin.plugin_id}` : entry.plugin.plugin_id;
}

/**
 * Install one plugin: resolve, fetch (cache first), verify sha256 and the author's signature, admit the WASM,
 * move it into place by rename, then swap the lockfile. Any refusal leaves the lockfile and plugins untouched.
 */
export async function installPlugin(
  home: HomePaths,
  catalog: Catalog,
  addr: PluginAddress,
  opts: InstallOptions = {},
): Promise<InstallResult> {
  const entry = catalog.find(addr);
  const release = resolveRelease(entry.plugin, addr.range);
  const lock = readLockfile(home.lockfile);
  const prev = lock.plugins[entry.address];
  if (prev && prev.sha256 === release.artifact.sha256 && existsSync(join(home.root, prev.path))) {
    return {
      id: entry.address,
      version: prev.version,
      sha256: prev.sha256,
      size: prev.size,
      path: prev.path,
      status: 'unchanged',
      fromCache: true,
    };
  }
  if (prev && semver.lt(release.version, prev.version) && !opts.allowDowngrade) {
    throw new WharfError(
      'E_DOWNGRADE',
      `${entry.address} ${prev.version} is installed; ${release.version} would be a downgrade. Pass --allow-downgrade to do it anyway.`,
    );
  }
  if (release.artifact.size > MAX_ARTIFACT_BYTES) {
    throw new WharfError(
      'E_TOO_LARGE',
      `${entry.address}@${release.version} is ${release.artifact.size} bytes, over the ${MAX_ARTIFACT_BYTES}-byte cap.`,
    );
  }
  const publicKey = signingKeyFor(entry, release, prev);

  const cache = new ArtifactCache(home.artifacts);
  let fetched = await cache.get(release.artifact.sha256, release.artifact.size);
  const fromCache = fetched !== undefined;
  let tempFile: string | undefined;
  let url: string | undefined;
  try {
    if (!fetched) {
      if (opts.offline)
        throw new WharfError(
          'E_NOT_FOUND',
          `${entry.address}@${release.version} is not in the download cache and --offline forbids fetching it.`,
        );
      const d = await downloadArtifact(release.artifact, home.tmp, { onProgress: opts.onProgress });
      tempFile = d.path;
      url = d.url;
      fetched = d;
    }
    verifyArtifactSignature({
      blake2b512: fetched.blake2b512,
      sha256: fetched.sha256,
      minisig: release.minisig,
      publicKey,
      id: entry.plugin.plugin_id,
      version: release.version,
    });
    admitWasm(readFileSync(fetched.path), release);
    const cached = fromCache ? fetched.path : cache.put(release.artifact.sha256, fetched.path);
    const rel = placePlugin(home, entry, release, cached);
    const next: LockEntry = {
      id: entry.address,
      source: entry.source,
      version: release.version,
      sha256: release.artifact.sha256,
      size: release.artifact.size,
      keyid: release.keyid,
      index_version: entry.snapshot.targetsVersion,
      path: rel,
      permissions: release.permissions,
      exports: release.exports,
      installed_at: new Date().toISOString(),
    };
    lock.plugins[entry.address] = next;
    writeLockfile(home.lockfile, lock);
    // Only now is the old version unreferenced; a crash before this line leaves it runnable.
    if (prev && prev.path !== rel) removeVersionDir(home, prev.path);
    return {
      id: entry.address,
      version: release.version,
      previous: prev?.version,
      sha256: next.sha256,
      size: next.size,
      path: rel,
      status: 'installed',
      fromCache,
      url,
    };
  } finally {
    if (tempFile) rmSync(tempFile, { force: true });
  }
}

function signingKeyFor(entry: CatalogEntry, release: Release, prev: LockEntry | undefined): string {
  const key = entry.plugin.keys.find((k) => k.keyid === release.keyid);
  if (!key || key.status === 'revoked') {
    throw new WharfError(
      'E_SIG_INVALID',
      `${entry.address}@${release.version} is signed by key ${release.keyid}, which the index doesn't list as valid.`,
    );
  }
  if (prev?.keyid && prev.keyid !== release.keyid) {
    // A rotation is accepted only when the index retired the old key (the maintainers checked the proof).
    const old = entry.plugin.keys.find((k) => k.keyid === prev.keyid);
    if (old?.status !== 'retired') {
      throw new WharfError(
        'E_KEY_CHANGED',
        `${entry.address} was installed with key ${prev.keyid} and ${release.version} is signed by ${release.keyid}, with no approved rotation.`,
      );
    }
  }
  return key.public_key;
}

/** Stage the version dir next to its final place and rename it in; returns its path relative to home. */
function placePlugin(home: HomePaths, entry: CatalogEntry, release: Release, artifact: string): string {
  const pluginDir = safeDir(home.plugins, pluginDirName(entry));
  const versionName = `${release.version}-${release.artifact.sha256.slice(0, 12)}`;
  const final = join(pluginDir, versionName);
  const rel = `plugins/${pluginDirName(entry)}/${versionName}/plugin.wasm`;
  if (existsSync(join(final, 'plugin.wasm'))) return rel; // same bytes, same name: an earlier run got this far
  const stage = mkdtempSync(join(pluginDir, `${TEMP_MARK}${versionName}.${process.pid}.`));
  try {
    const wasm = join(stage, 'plugin.wasm');
    try {
      linkSync(artifact, wasm);
    } catch {
      copyFileSync(artifact, wasm);
    }
    const fd = openSync(wasm, 'r');
    fsyncSync(fd);
    closeSync(fd);
    writeFileAtomic(
      join(stage, 'release.json'),
      `${JSON.stringify({ plugin_id: entry.plugin.plugin_id, source: entry.source, release }, null, 2)}\n`,
    );
    renameSync(stage, final);
    fsyncDir(pluginDir);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return rel;
}

export function removeVersionDir(home: HomePaths, relWasm: string): void {
  const parts = relWasm.split('/');
  if (parts.length !== 4 || parts[0] !== 'plugins') return;
  rmSync(join(home.root, parts[0], parts[1] as string, parts[2] as string), { recursive: true, force: true });
}
