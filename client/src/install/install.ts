import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { type LockEntry, type Lockfile, type Release, WharfError } from '@wharf/schemas';
import lt from 'semver/functions/lt.js';
import { fsyncDir, fsyncDirOffThread, fsyncFile, fsyncOffThread, TEMP_MARK, tempPathFor } from '../fs/atomic-write.js';
import { type LockScope, withHomeLock } from '../home/home-lock.js';
import { checkRemoval, ensureHomeDir, homeDir, homeFile } from '../home/home-path.js';
import { type HomePaths, layoutDir } from '../home.js';
import type { Catalog, CatalogEntry, PluginAddress } from '../index/catalog.js';
import { readLockfile, versionDirOf, writeLockfile } from '../lockfile.js';
import type { Sieved } from '../scan/sieve-wasm.js';
import { verifyArtifactSignature } from '../signing/index.js';
import { admitSieved, admitWasm } from './admit-wasm.js';
import { ArtifactCache } from './artifact-cache.js';
import { type ChangeKind, changeKind } from './change-kind.js';
import { downloadArtifact, type Progress } from './download-artifact.js';
import { describeWidening, type PermissionWidening, widenedPermissions } from './permission-diff.js';
import { type PlannedStep, planInstall } from './plan-install.js';
import { removeVersionDir } from './version-dir.js';

export { removeVersionDir };

export interface InstallOptions {
  allowDowngrade?: boolean;
  onProgress?: Progress;
  /** Refuse to touch the network: install only from the artifact cache. */
  offline?: boolean;
  /** `--allow-unpinned`: entries of legacy (wxauto) sources carry no key; their bytes were hashed by legacy/. */
  allowUnpinned?: boolean;
  /** Consent given up front (`--yes`) to permission widening. */
  yes?: boolean;
  /** The locked section this install runs in (home-lock.ts), when its caller holds the home lock already. */
  scope?: LockScope;
  /** Ask the user about permission widening; without it (non-interactive) widening is refused. */
  confirm?: (question: string, widening: Array<{ id: string; changes: PermissionWidening[] }>) => Promise<boolean>;
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
  reason?: 'requested' | 'dependency';
  change?: ChangeKind;
  warnings?: Array<{ code: 'E_DEPRECATED'; message: string }>;
}

/** Max artifact size we will even consider, whatever the index says (DESIGN §5 limits). */
export const MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;

/** Where a plugin's versions live: bare id for the current source, `<alias>.<id>` otherwise (':' breaks Windows). */
export function pluginDirName(entry: CatalogEntry): string {
  return entry.address.includes(':') ? `${entry.source}.${entry.plugin.plugin_id}` : entry.plugin.plugin_id;
}

/** Install one plugin (and what it depends on); returns the requested plugin's result. */
export async function installPlugin(
  home: HomePaths,
  catalog: Catalog,
  addr: PluginAddress,
  opts: InstallOptions = {},
): Promise<InstallResult> {
  const results = await installPlugins(home, catalog, [addr], opts);
  const want = catalog.find(addr).address;
  return results.find((r) => r.id === want) as InstallResult;
}

/**
 * Install plugins with their dependencies: plan with semver, check every refusal rule before any download (the
 * author's signature over the pinned sha256 among them), then fetch (cache first), hold the bytes to that sha256,
 * admit the WASM and move each version into place by rename. The lockfile is swapped once at the end, so a refusal
 * or a crash at any point leaves the lockfile and the installed plugins as they were. All of it runs under the home lock, and the lockfile is
 * read after taking it, so a concurrent writer's change is neither lost nor overwritten.
 */
export function installPlugins(
  home: HomePaths,
  catalog: Catalog,
  requests: PluginAddress[],
  opts: InstallOptions = {},
): Promise<InstallResult[]> {
  return withHomeLock(home, () => installLocked(home, catalog, requests, opts), { scope: opts.scope });
}

async function installLocked(
  home: HomePaths,
  catalog: Catalog,
  requests: PluginAddress[],
  opts: InstallOptions,
): Promise<InstallResult[]> {
  const lock = readLockfile(home.lockfile);
  const steps = planInstall(catalog, lock, requests);
  // Per step: the key its signature was checked with ('' for none), and whether its version is in place already.
  const checked = new Map<PlannedStep, { key: string; unchanged: boolean }>();
  const widening: Array<{ id: string; changes: PermissionWidening[]; from: string; to: string }> = [];
  for (const s of steps) {
    const { entry, release, prev } = s;
    if (entry.plugin.status === 'suspended') {
      throw new WharfError(
        'E_NOT_FOUND',
        `${entry.address} is suspended by the registry maintainers; it can't be installed.`,
      );
    }
    if (prev && lt(release.version, prev.version) && !opts.allowDowngrade) {
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
    const unpinned = opts.allowUnpinned === true && catalog.source(entry.source)?.type === 'wxauto';
    const key = unpinned ? '' : signingKeyFor(entry, release, prev); // '' = legacy, no key to verify against
    // The author's signature binds the pinned sha256 (DESIGN §3), so it is checked here, before any download: a bad
    // one costs no transfer, and none of the other steps' downloads. The bytes are then held to that sha256.
    const unchanged = isUnchanged(home, s);
    if (key !== '' && !unchanged)
      verifyArtifactSignature({
        sha256: release.artifact.sha256,
        minisig: release.minisig,
        publicKey: key,
        id: entry.plugin.plugin_id,
        version: release.version,
      });
    checked.set(s, { key, unchanged });
    // A planted link (plugin dir, version dir, old version dir) is refused before any download.
    // Checked without creating anything: a refusal must leave no empty plugins/<id> behind.
    homeDir(home.root, ['plugins', pluginDirName(entry)]);
    checkRemoval(home.root, ['plugins', pluginDirName(entry), versionDirName(release)], 'dir');
    if (prev) checkRemoval(home.root, versionDirOf(prev), 'dir');
    if (prev && !(prev.version === release.version && prev.sha256 === release.artifact.sha256)) {
      const changes = widenedPermissions(prev.permissions, release.permissions);
      if (changes.length) widening.push({ id: entry.address, changes, from: prev.version, to: release.version });
    }
  }
  if (widening.length > 0 && !opts.yes) {
    const question = widening.map((w) => describeWidening(w.id, w.from, w.to, w.changes)).join('\n');
    const ok = opts.confirm ? await opts.confirm(question, widening) : false;
    if (!ok) {
      throw new WharfError(
        'E_CAPABILITY_ESCALATION',
        `${question}\n${opts.confirm ? 'Not confirmed' : 'Refusing without consent'}; re-run with --yes to accept.`,
        { widening },
      );
    }
  }

  const results: InstallResult[] = [];
  const placed: string[] = [];
  const next = { ...lock, plugins: Object.assign(Object.create(null), lock.plugins) as Lockfile['plugins'] };
  try {
    for (const s of steps) {
      const { key, unchanged } = checked.get(s) as { key: string; unchanged: boolean };
      const r = await fetchAndPlace(home, s, key, unchanged, opts);
      if (r.status === 'installed' && r.newDir) placed.push(r.result.path);
      results.push(r.result);
      next.plugins[s.entry.address] = r.lockEntry;
    }
    writeLockfile(home.lockfile, next);
  } catch (e) {
    for (const rel of placed) removeVersionDir(home, rel);
    throw e;
  }
  // Only now are the old versions unreferenced; a crash before this line leaves them runnable.
  for (const s of steps) {
    const now = next.plugins[s.entry.address];
    if (s.prev && now && s.prev.path !== now.path) removeVersionDir(home, s.prev.path);
  }
  return results;
}

async function fetchAndPlace(
  home: HomePaths,
  step: PlannedStep,
  publicKey: string,
  unchanged: boolean,
  opts: InstallOptions,
): Promise<{ result: InstallResult; lockEntry: LockEntry; status: 'installed' | 'unchanged'; newDir: boolean }> {
  const { entry, release, prev } = step;
  const warnings: InstallResult['warnings'] = [];
  if (release.deprecated)
    warnings.push({
      code: 'E_DEPRECATED',
      message: `${entry.address}@${release.version} is deprecated: ${release.deprecated}`,
    });
  if (entry.plugin.status === 'deprecated')
    warnings.push({
      code: 'E_DEPRECATED',
      message: `${entry.address} is deprecated${entry.plugin.replaced_by ? `; use ${entry.plugin.replaced_by}` : ''}.`,
    });
  const base = { reason: step.reason, ...(warnings.length ? { warnings } : {}) };
  if (prev && unchanged) {
    const result: InstallResult = {
      id: entry.address,
      version: prev.version,
      sha256: prev.sha256,
      size: prev.size,
      path: prev.path,
      status: 'unchanged',
      fromCache: true,
      ...base,
    };
    return { result, lockEntry: prev, status: 'unchanged', newDir: false };
  }
  const cache = new ArtifactCache(home);
  let fetched: { path: string; sha256: string; size: number; sieved?: Sieved } | undefined = await cache.get(
    release.artifact.sha256,
    release.artifact.size,
  );
  const fromCache = fetched !== undefined;
  let tempFile: string | undefined;
  let url: string | undefined;
  let durable: Promise<void> | undefined;
  try {
    if (!fetched) {
      if (opts.offline)
        throw new WharfError(
          'E_NOT_FOUND',
          `${entry.address}@${release.version} is not in the download cache and --offline forbids fetching it.`,
        );
      const d = await downloadArtifact(release.artifact, layoutDir(home, 'tmp'), {
        onProgress: opts.onProgress,
        durable: true,
      });
      tempFile = d.path;
      url = d.url;
      fetched = d;
      durable = d.durable;
    }
    // The bytes' fsync runs on the threadpool while the signature and WASM checks run here (a download's began as
    // its bytes arrived); placement awaits it before the version dir is renamed into place, so what the lockfile
    // names is on disk first, as before.
    durable ??= fsyncOffThread(fetched.path);
    // The signature was checked against the pinned sha256 before any download (installLocked); these bytes have it:
    // downloadArtifact and the cache's get both return only bytes that hash to it.
    // The downloaded bytes are checked as they arrived (the same bytes the hash covered): no second read.
    if (fetched.sieved) admitSieved(fetched.sieved, release, fetched.size);
    else admitWasm(readFileSync(fetched.path), release);
    // The cache entry's directory is fsynced on the threadpool too, beside the bytes' fsync; placement awaits both.
    const cached = fromCache ? fetched.path : cache.put(release.artifact.sha256, fetched.path, { dirSync: false });
    const onDisk = fromCache ? durable : allSettled([durable, fsyncDirOffThread(dirname(cached))]);
    const { rel, created } = await placePlugin(home, entry, release, cached, onDisk);
    const lockEntry: LockEntry = {
      id: entry.address,
      source: entry.source,
      version: release.version,
      sha256: release.artifact.sha256,
      size: release.artifact.size,
      keyid: release.keyid,
      ...(publicKey ? { public_key: publicKey } : {}),
      index_version: entry.snapshot.targetsVersion,
      path: rel,
      permissions: release.permissions,
      exports: release.exports,
      installed_at: new Date().toISOString(),
    };
    const result: InstallResult = {
      id: entry.address,
      version: release.version,
      previous: prev?.version,
      sha256: lockEntry.sha256,
      size: lockEntry.size,
      path: rel,
      status: 'installed',
      fromCache,
      url,
      ...(prev ? { change: changeKind(prev.version, release.version) } : {}),
      ...base,
    };
    return { result, lockEntry, status: 'installed', newDir: created && prev?.path !== rel };
  } finally {
    await durable?.catch(() => {}); // a refusal's own error wins; the file is not removed under a running fsync
    if (tempFile) rmSync(tempFile, { force: true });
  }
}

/** The step's version is installed already, with the pinned bytes still in place: nothing to fetch or check. */
function isUnchanged(home: HomePaths, { release, prev }: PlannedStep): boolean {
  return (
    prev !== undefined &&
    prev.version === release.version &&
    prev.sha256 === release.artifact.sha256 &&
    existsSync(homeFile(home.root, prev.path.split('/')))
  );
}

/** Wait for every one (none is left running under a removal), then throw the first failure, if any. */
async function allSettled(ps: Array<Promise<unknown>>): Promise<void> {
  for (const r of await Promise.allSettled(ps)) if (r.status === 'rejected') throw r.reason;
}

function signingKeyFor(entry: CatalogEntry, release: Release, prev: LockEntry | undefined): string {
  const key = entry.plugin.keys.find((k) => k.keyid === release.keyid);
  if (!key || key.status === 'revoked') {
    throw new WharfError(
      'E_SIG_INVALID',
      `${entry.address}@${release.version} is signed by key ${release.keyid}, which the index doesn't list as valid.`,
    );
  }
  // A keyid is 8 bytes the key's maker picks, so the public key recorded at install (if any) is what must match.
  const sameKey = prev?.public_key ? prev.public_key === key.public_key : prev?.keyid === release.keyid;
  if (prev?.keyid && !sameKey) {
    // A rotation is accepted only when the index retired the old key (the maintainers checked the proof).
    const old = entry.plugin.keys.find(
      (k) => k.keyid === prev.keyid && (!prev.public_key || k.public_key === prev.public_key),
    );
    if (old?.status !== 'retired') {
      const reused = release.keyid === prev.keyid ? ' (another key under the same keyid)' : '';
      throw new WharfError(
        'E_KEY_CHANGED',
        `${entry.address} was installed with key ${prev.keyid} and ${release.version} is signed by ${release.keyid}${reused}, with no approved rotation.`,
      );
    }
  }
  return key.public_key;
}

const versionDirName = (release: Release) => `${release.version}-${release.artifact.sha256.slice(0, 12)}`;

/**
 * Stage the version dir next to its final place and rename it in; returns its path relative to home. A version
 * dir an earlier run left is kept only when it holds the pinned bytes; anything else there is replaced.
 */
async function placePlugin(
  home: HomePaths,
  entry: CatalogEntry,
  release: Release,
  artifact: string,
  durable: Promise<unknown>,
): Promise<{ rel: string; created: boolean }> {
  const dirName = pluginDirName(entry);
  const pluginDir = ensureHomeDir(home.root, 'plugins', dirName);
  const versionName = versionDirName(release);
  const final = join(pluginDir, versionName);
  const rel = `plugins/${dirName}/${versionName}/plugin.wasm`;
  // A link here is refused (E_PATH_ESCAPE): "installed" must mean the verified bytes are in the home.
  const existing = checkRemoval(home.root, ['plugins', dirName, versionName], 'dir');
  if (existing) {
    const wasm = homeFile(home.root, rel.split('/'));
    if (existsSync(wasm) && sha256Of(wasm) === release.artifact.sha256) return { rel, created: false };
  }
  const stage = mkdtempSync(join(pluginDir, `${TEMP_MARK}${versionName}.${process.pid}.`));
  let aside: string | undefined;
  try {
    const wasm = join(stage, 'plugin.wasm');
    try {
      linkSync(artifact, wasm);
    } catch {
      copyFileSync(artifact, wasm); // a new inode: `durable` does not cover it
      fsyncFile(wasm);
    }
    // A plain write: the stage dir is private until its rename, which is what makes the version dir appear whole.
    const meta = join(stage, 'release.json');
    writeFileSync(
      meta,
      `${JSON.stringify({ plugin_id: entry.plugin.plugin_id, source: entry.source, release }, null, 2)}\n`,
      { flag: 'wx', mode: 0o644 },
    );
    // All fsyncs before the rename at once, on the threadpool, so they share the journal commits: plugin.wasm is a
    // hard link to (or copy of) the file `durable` covers; release.json and the stage dir's entries here.
    await allSettled([durable, fsyncOffThread(meta), fsyncDirOffThread(stage)]);
    if (existing) {
      aside = tempPathFor(final);
      renameSync(final, aside);
    }
    renameSync(stage, final);
    fsyncDir(pluginDir);
  } finally {
    rmSync(stage, { recursive: true, force: true });
    if (aside) rmSync(aside, { recursive: true, force: true });
  }
  return { rel, created: true };
}

function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
