import { parseSignature, type ScanReport, scanWasm, verifyReleaseSignature } from '@wharf/client';
import {
  type CheckResult,
  checkId,
  idCollisionKey,
  isPermissionDeclared,
  isWharfError,
  type Manifest,
  PERMISSION_NAMES,
  parseJson,
  type Registry,
  type ReviewReport,
  readManifest,
  reportPasses,
  type Submission,
  urlProblem,
  validatePermissions,
} from '@wharf/schemas';
import { publicKeyLine, sha256Hex } from '../github/fetch-release.js';
import { skeleton } from './confusables.js';
import { SCORE_FORMULA, scoreChecks } from './scores.js';
import { type SmokeResult, smokeCheck } from './smoke-run.js';

export const TOOL_VERSION = 'wharf-admin 0.1.0';

/** What a review looks at: the three release assets, plus whatever context the mode has. */
export interface ReviewInput {
  wasm: Uint8Array;
  minisig: Uint8Array;
  manifest: Uint8Array;
  submission?: Submission;
  /** From the GitHub API (issue modes); absent offline. */
  repo?: {
    id: number;
    ownerId: number;
    /** Numeric id of whoever opened the issue. */
    submitterId?: number;
    /** plugin.wasm's size as the release declares it. */
    assetSize?: number;
    fullName: string;
    license?: string;
    keyFile?: string;
    hasReadme: boolean;
    tag: string;
  };
  /** The current registry, for squatting, key pinning, immutability and repo-id checks. */
  registry?: Registry;
  smoke?: SmokeResult;
  issue?: number;
  now?: Date;
}

export interface ReviewOutcome {
  report: ReviewReport;
  manifest?: Manifest;
  scan?: ScanReport;
}

const fmt = (e: unknown): string => (isWharfError(e) ? `${e.code}: ${e.message}` : String((e as Error)?.message ?? e));

/** Runs every DESIGN §5 check over bytes already in memory. Pure apart from the clock: no network, no disk. */
export function reviewRelease(input: ReviewInput): ReviewOutcome {
  const checks: CheckResult[] = [];
  const add = (id: string, status: CheckResult['status'], message: string) => checks.push({ id, status, message });
  const sub = input.submission;
  const wasmSha = sha256Hex(input.wasm);
  const minisigText = Buffer.from(input.minisig).toString('utf8');

  add(
    'submission.form',
    sub ? 'pass' : 'skip',
    sub ? 'the issue form parsed and validated' : 'no issue form (offline review)',
  );

  let manifest: Manifest | undefined;
  try {
    manifest = readManifest(parseJson(input.manifest, 'plugin.json'));
    add('manifest.schema', 'pass', `plugin.json is a valid manifest for ${manifest.id}@${manifest.version}`);
  } catch (e) {
    add('manifest.schema', 'fail', fmt(e));
  }

  // id, name and squatting
  if (manifest) {
    try {
      checkId(manifest.id);
      const others = (input.registry?.plugins ?? []).filter((p) => p.plugin_id !== manifest?.id);
      const key = idCollisionKey(manifest.id);
      const idSkel = skeleton(manifest.id);
      const nameSkel = skeleton(manifest.name);
      const clash = others.find(
        (p) =>
          idCollisionKey(p.plugin_id) === key ||
          skeleton(p.plugin_id) === idSkel ||
          skeleton(p.name) === nameSkel ||
          skeleton(p.plugin_id) === nameSkel,
      );
      if (sub && sub.plugin_id !== manifest.id)
        add('id.rules', 'fail', `E_ID_INVALID: the issue names ${sub.plugin_id} but plugin.json says ${manifest.id}`);
      else if (clash)
        add(
          'id.rules',
          'fail',
          `E_NAME_CONFLICT: too close to the existing plugin ${clash.plugin_id} ("${clash.name}")`,
        );
      else add('id.rules', 'pass', `${manifest.id} is a valid id and clashes with no other plugin`);
    } catch (e) {
      add('id.rules', 'fail', fmt(e));
    }
    const bad = (['homepage', 'repository'] as const)
      .map((f) => [f, manifest?.[f]] as const)
      .filter(([, u]) => u !== undefined && urlProblem(u, { allowLoopback: false }) !== undefined);
    add(
      'urls.https',
      bad.length ? 'fail' : 'pass',
      bad.length ? `E_URL_SCHEME: ${bad.map(([f]) => f).join(', ')} must be https: URLs` : 'all URLs are https:',
    );
  }

  // submission against manifest
  if (sub && manifest) {
    const diffs: string[] = [];
    if (sub.license !== manifest.license) diffs.push(`licence ${sub.license} vs ${manifest.license}`);
    if (sub.category !== manifest.category) diffs.push(`category ${sub.category} vs ${manifest.category}`);
    if (manifest.signing_key && sub.public_key !== manifest.signing_key)
      diffs.push('public key differs from signing_key');
    const declared = PERMISSION_NAMES.filter((p) => manifest && isPermissionDeclared(manifest.permissions, p));
    const requested = sub.permissions.map((p) => p.permission).sort();
    if (declared.join() !== [...requested].sort().join())
      diffs.push(
        `permissions in the issue (${requested.join(', ') || 'none'}) vs plugin.json (${declared.join(', ') || 'none'})`,
      );
    add(
      'manifest.matches-submission',
      diffs.length ? 'fail' : 'pass',
      diffs.length
        ? `E_SUBMISSION_INVALID: the issue and plugin.json disagree: ${diffs.join('; ')}`
        : 'the issue matches plugin.json',
    );
  }
  if (manifest) {
    const probs = validatePermissions(manifest.permissions);
    add(
      'permissions.justified',
      probs.length ? 'fail' : 'pass',
      probs.length ? `${probs[0]?.code}: ${probs[0]?.message}` : 'every declared permission has a justification',
    );
    const cats = input.registry?.categories.map((c) => c.id);
    if (!cats) add('category.known', 'skip', 'no registry given');
    else
      add(
        'category.known',
        cats.includes(manifest.category) ? 'pass' : 'fail',
        cats.includes(manifest.category)
          ? `category ${manifest.category}`
          : `E_CATEGORY_UNKNOWN: ${manifest.category} is not one of ${cats.join(', ')}`,
      );
  }

  // release, digest, signature, keys
  add(
    'release.assets',
    input.repo ? 'pass' : 'skip',
    input.repo
      ? `release ${input.repo.tag} of ${input.repo.fullName} has plugin.wasm, .minisig and plugin.json`
      : 'offline: files given locally',
  );
  const declaredSize = input.repo?.assetSize;
  if (declaredSize !== undefined && declaredSize !== input.wasm.length)
    add(
      'artifact.digest',
      'fail',
      `E_ARTIFACT_HASH: received ${input.wasm.length} bytes, the release declares ${declaredSize}`,
    );
  else add('artifact.digest', 'pass', `sha256 ${wasmSha}, ${input.wasm.length} bytes`);
  let keyid = '0000000000000000';
  try {
    keyid = parseSignature(minisigText).keyid;
  } catch {
    // reported by signature.valid below
  }
  const pubKey = manifest?.signing_key ?? sub?.public_key;
  let sigOk = false;
  if (!pubKey) add('signature.valid', 'fail', 'E_SIG_INVALID: plugin.json has no signing_key');
  else {
    // The same full check as `wharf-admin add` (minisign -V: ED and legacy Ed), then the binding.
    const binding = manifest ?? { id: '', version: '' };
    try {
      const sig = verifyReleaseSignature({
        data: input.wasm,
        sha256: wasmSha,
        minisig: minisigText,
        publicKey: pubKey,
        id: binding.id,
        version: binding.version,
      });
      sigOk = true;
      add('signature.valid', 'pass', `signed by key ${sig.keyid}`);
      add('signature.binding', 'pass', `bound to ${binding.id}@${binding.version} sha256 ${wasmSha.slice(0, 12)}…`);
    } catch (e) {
      if (isWharfError(e) && e.code === 'E_SIG_BINDING') {
        sigOk = true;
        add('signature.valid', 'pass', `signed by key ${keyid}`);
        // Without a manifest there is nothing to bind to; schema failures say why.
        if (manifest) add('signature.binding', 'fail', fmt(e));
      } else add('signature.valid', 'fail', fmt(e));
    }
  }
  if (!sigOk) add('signature.binding', 'skip', 'no valid signature');
  if (!input.repo) add('key.repo', 'skip', 'offline: the repository was not read');
  else if (input.repo.keyFile === undefined)
    add('key.repo', 'fail', 'E_SIG_INVALID: the repository has no minisign.pub at the tag');
  else {
    const line = publicKeyLine(input.repo.keyFile);
    const same = line === pubKey && (!sub || sub.public_key === line);
    add(
      'key.repo',
      same ? 'pass' : 'fail',
      same
        ? 'minisign.pub at the tag is the signing key'
        : 'E_KEY_CHANGED: minisign.pub at the tag differs from the key in the issue/plugin.json',
    );
  }

  const existing = manifest ? input.registry?.plugins.find((p) => p.plugin_id === manifest?.id) : undefined;
  if (!input.registry || !manifest) {
    add('key.pinned', 'skip', 'no registry given');
    add('version.immutable', 'skip', 'no registry given');
    add('repo.id', 'skip', 'no registry given');
  } else if (!existing) {
    add('key.pinned', 'pass', 'new plugin: the key will be pinned on approval');
    add('version.immutable', 'pass', 'new plugin');
    add(
      'repo.id',
      input.repo ? 'pass' : 'skip',
      input.repo ? `repository id ${input.repo.id} will be pinned` : 'offline',
    );
  } else {
    const active = existing.keys.find((k) => k.status === 'active');
    const pinnedOk = active && active.public_key === pubKey;
    add(
      'key.pinned',
      pinnedOk ? 'pass' : 'fail',
      pinnedOk
        ? `same key as pinned (${active?.keyid})`
        : `E_KEY_CHANGED: ${existing.plugin_id} is pinned to key ${active?.keyid ?? 'none'}`,
    );
    const same = existing.releases.find((r) => r.version === manifest?.version);
    add(
      'version.immutable',
      same && same.artifact.sha256 !== wasmSha ? 'fail' : 'pass',
      same && same.artifact.sha256 !== wasmSha
        ? `E_VERSION_IMMUTABLE: ${manifest.version} is already published with another sha256`
        : same
          ? 'this exact release is already published'
          : `new version ${manifest.version}`,
    );
    if (!input.repo) add('repo.id', 'skip', 'offline');
    else if (existing.repo_id !== undefined && existing.repo_id !== input.repo.id)
      add(
        'repo.id',
        'fail',
        `E_REPO_ID_MISMATCH: ${existing.plugin_id} is pinned to repository id ${existing.repo_id}, not ${input.repo.id}`,
      );
    else add('repo.id', 'pass', `repository id ${input.repo.id}`);
  }

  // Whoever opens the issue should own the repository (or be its organisation's member, which a maintainer checks).
  if (input.repo?.submitterId !== undefined)
    add(
      'submission.owner',
      input.repo.submitterId === input.repo.ownerId ? 'pass' : 'warn',
      input.repo.submitterId === input.repo.ownerId
        ? 'the issue was opened by the repository owner'
        : 'the issue was not opened by the repository owner: check that the submitter may publish this repository',
    );

  // WASM
  let scan: ScanReport | undefined;
  try {
    scan = scanWasm(input.wasm, manifest);
    checks.push(...scan.checks);
  } catch (e) {
    add('wasm.valid', 'fail', `E_WASM_INVALID: ${fmt(e)}`);
  }
  checks.push(smokeCheck(input.smoke, wasmSha));

  if (!input.repo) {
    add('license.present', 'skip', 'offline: the repository was not read');
    add('readme.present', 'skip', 'offline: the repository was not read');
  } else {
    const lic = input.repo.license;
    add(
      'license.present',
      lic && lic !== 'NOASSERTION' ? 'pass' : 'warn',
      lic && lic !== 'NOASSERTION' ? `repository licence ${lic}` : 'GitHub finds no recognised LICENSE file',
    );
    add(
      'readme.present',
      input.repo.hasReadme ? 'pass' : 'warn',
      input.repo.hasReadme ? 'README present' : 'no README at the tag',
    );
  }

  const scores = scoreChecks(checks);
  const report: ReviewReport = {
    report_version: 1,
    plugin_id: manifest?.id ?? sub?.plugin_id ?? 'unknown',
    version: manifest?.version ?? '0.0.0',
    tag: input.repo?.tag ?? sub?.tag ?? `v${manifest?.version ?? '0.0.0'}`,
    ...(input.repo ? { repository: input.repo.fullName } : sub ? { repository: sub.repository } : {}),
    ...(input.issue !== undefined ? { issue: input.issue } : {}),
    digests: {
      wasm_sha256: wasmSha,
      wasm_size: input.wasm.length,
      minisig_sha256: sha256Hex(input.minisig),
      manifest_sha256: sha256Hex(input.manifest),
    },
    keyid,
    checks,
    ...scores,
    score_formula: SCORE_FORMULA,
    passed: false,
    reviewed_at: (input.now ?? new Date()).toISOString(),
    tool_version: TOOL_VERSION,
  };
  report.passed = reportPasses(report);
  return { report, ...(manifest ? { manifest } : {}), ...(scan ? { scan } : {}) };
}
