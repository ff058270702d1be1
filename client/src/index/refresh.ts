import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Registry, type SourceConfig, validateRegistry, WharfError } from '@wharf/schemas';
import { Updater } from 'tuf-js';
import { TEMP_MARK, writeFileAtomic } from '../fs/atomic-write.js';
import type { HomePaths } from '../home.js';
import { classifyTufError, errorCodeFor } from './classify-tuf-error.js';
import { DEFAULT_LIMITS, type FetchLimits, type MirrorReason } from './http-fetch.js';
import { type IndexSnapshot, writeCachedIndex } from './index-cache.js';
import { DeadlineFetcher } from './tuf-fetcher.js';

/** The registry target's size cap: about 3.3 MB gzip at 10k plugins, far more uncompressed (DESIGN §9). */
export const MAX_INDEX_BYTES = 64 * 1024 * 1024;
const TRUSTED_FILES = ['root.json', 'timestamp.json', 'snapshot.json', 'targets.json'];

export interface MirrorFailure {
  mirror: string;
  reason: MirrorReason;
  message: string;
}

export interface RefreshOptions {
  limits?: FetchLimits;
}

/** Mirrors in the order to try: the last one that served a verified index first, then as configured. */
export function mirrorOrder(src: SourceConfig): string[] {
  const rest = src.mirrors.filter((m) => m !== src.last_good);
  return src.last_good && src.mirrors.includes(src.last_good) ? [src.last_good, ...rest] : rest;
}

/**
 * Refresh one source through tuf-js, trying its mirrors in order. Each attempt runs on a staged copy of the
 * trusted metadata; only a fully verified set is copied back, file by file and atomically, so trusted
 * state only moves forward and a crash mid-refresh leaves the previous trusted state.
 */
export async function refreshSource(
  home: HomePaths,
  src: SourceConfig,
  opts: RefreshOptions = {},
): Promise<IndexSnapshot> {
  const failures: MirrorFailure[] = [];
  for (const mirror of mirrorOrder(src)) {
    try {
      return await refreshFromMirror(home, src, mirror, opts.limits ?? DEFAULT_LIMITS);
    } catch (e) {
      if (e instanceof WharfError && e.code === 'E_ROOT_FINGERPRINT') throw e;
      const c =
        e instanceof WharfError && e.details?.reason
          ? { reason: e.details.reason as MirrorReason, message: e.message }
          : classifyTufError(e);
      failures.push({ mirror, ...c });
    }
  }
  throw allMirrorsFailed(src.alias, failures);
}

export function allMirrorsFailed(alias: string, failures: MirrorFailure[]): WharfError {
  const lines = failures.map((f) => `  ${f.mirror}: ${f.reason} (${f.message})`).join('\n');
  // When every mirror failed the same verification, that is the more useful code.
  const reasons = new Set(failures.map((f) => f.reason));
  const only = reasons.size === 1 ? [...reasons][0] : undefined;
  const code =
    only && ['hash', 'rollback', 'expired', 'signature'].includes(only) ? errorCodeFor(only) : 'E_ALL_MIRRORS_FAILED';
  return new WharfError(code, `Every mirror of source "${alias}" failed:\n${lines}`, {
    source: alias,
    mirrors: failures,
  });
}

async function refreshFromMirror(
  home: HomePaths,
  src: SourceConfig,
  mirror: string,
  limits: FetchLimits,
): Promise<IndexSnapshot> {
  const trust = home.trustDir(src.alias);
  const metaDir = join(trust, 'metadata');
  if (!existsSync(join(metaDir, 'root.json'))) {
    throw new WharfError(
      'E_ROOT_FINGERPRINT',
      `Source "${src.alias}" has no trusted root; add it again with --root-sha256 or --root-file.`,
    );
  }
  const stage = mkdtempSync(join(trust, `${TEMP_MARK}stage.${process.pid}.`));
  try {
    const stageMeta = join(stage, 'metadata');
    const stageTargets = join(stage, 'targets');
    mkdirSync(stageMeta);
    mkdirSync(stageTargets);
    for (const f of readdirSync(metaDir)) copyFileSync(join(metaDir, f), join(stageMeta, f));
    const updater = new Updater({
      metadataDir: stageMeta,
      metadataBaseUrl: `${mirror}/metadata`,
      targetDir: stageTargets,
      targetBaseUrl: `${mirror}/targets`,
      fetcher: new DeadlineFetcher(limits),
      config: { targetsMaxLength: 4 * 1024 * 1024, fetchRetries: 0 },
    });
    await updater.refresh();
    const info = await updater.getTargetInfo('registry.json');
    if (!info) throw new WharfError('E_NOT_FOUND', `${mirror} signs no registry.json target.`, { reason: 'error' });
    if (info.length > MAX_INDEX_BYTES)
      throw new WharfError('E_TOO_LARGE', `registry.json is ${info.length} bytes.`, { reason: 'too large' });
    const file = await updater.downloadTarget(info, join(stageTargets, 'registry.json'));
    const bytes = readFileSync(file);
    const registry = parseRegistry(bytes, mirror);
    const targetsVersion = (
      JSON.parse(readFileSync(join(stageMeta, 'targets.json'), 'utf8')) as { signed: { version: number } }
    ).signed.version;
    // Commit: root first, so that a crash part-way leaves a set tuf-js can still load and heal from.
    for (const f of TRUSTED_FILES) {
      const p = join(stageMeta, f);
      if (existsSync(p)) writeFileAtomic(join(metaDir, f), readFileSync(p));
    }
    const snap: IndexSnapshot = {
      alias: src.alias,
      registry,
      targetsVersion,
      mirror,
      fetchedAt: new Date().toISOString(),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      stale: false,
    };
    writeCachedIndex(home, snap, bytes);
    return snap;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function parseRegistry(bytes: Buffer, mirror: string): Registry {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new WharfError('E_SCHEMA', `The signed registry.json from ${mirror} is not JSON.`, { reason: 'not JSON' });
  }
  const v = validateRegistry(json);
  if (!v.ok) {
    const first = v.problems[0];
    throw new WharfError(
      'E_SCHEMA',
      `The signed registry.json from ${mirror} is invalid: ${first?.path} ${first?.message}`,
      { reason: 'error' },
    );
  }
  return v.value;
}
