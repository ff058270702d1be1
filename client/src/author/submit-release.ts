import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type CheckResult,
  DEFAULT_CATEGORIES,
  isPermissionDeclared,
  isWharfError,
  type Manifest,
  PERMISSION_NAMES,
  parseJson,
  urlProblem,
  validateManifest,
  WharfError,
} from '@wharf/schemas';
import { DEFAULT_LIMITS, type FetchLimits, fetchBytes } from '../index/http-fetch.js';
import { MAX_ARTIFACT_BYTES } from '../install/install.js';
import { scanWasm } from '../scan/scan-wasm.js';
import { parsePublicKey, parseSignature, verifyReleaseSignature } from '../signing/index.js';
import { PLACEHOLDER_AUTHOR, PLACEHOLDER_DESCRIPTION, PLACEHOLDER_OWNER } from './templates.js';

/** The marketplace whose issue form `submit` prefills, unless --marketplace says otherwise. */
export const DEFAULT_MARKETPLACE = 'wharf-plugins/wharf';
export const SUBMISSION_TEMPLATE = 'plugin-submission.yml';
/** Caps for the small release assets; the wasm gets the installer's cap. */
const MAX_TEXT_ASSET = 1024 * 1024;

export interface SubmitOptions {
  /** Local release files: <dir>/plugin.json, <dir>/<wasm>, <dir>/<wasm>.minisig. */
  dir?: string;
  /** Base URL of the release's assets (default: the GitHub release download URL of plugin.json's repository). */
  releaseUrl?: string;
  /** The project dir whose plugin.json names the repository and version (default: cwd). */
  projectDir?: string;
  tag?: string;
  marketplace?: string;
  giteeRepository?: string;
  limits?: FetchLimits;
}

export interface SubmitReport {
  plugin_id: string;
  version: string;
  tag: string;
  repository: string;
  source: string;
  sha256?: string;
  keyid?: string;
  checks: CheckResult[];
  passed: boolean;
  /** GitHub issue-form link with the fields prefilled. */
  form_url: string;
  /** The same fields, to paste into the Gitee form. */
  fields: Record<string, string>;
}

/**
 * Before an author opens the submission issue: fetch the release's three assets the way the review bot will,
 * check that they exist, agree with each other and verify, then build the prefilled form link.
 */
export async function checkRelease(opts: SubmitOptions = {}): Promise<SubmitReport> {
  const checks: CheckResult[] = [];
  const add = (id: string, status: CheckResult['status'], message: string) => checks.push({ id, status, message });

  const local = readLocalManifest(opts);
  const repository = repoSlug(local?.repository ?? local?.homepage);
  const tag = opts.tag ?? (local ? `v${local.version}` : undefined);
  let source: string;
  let get: (name: string, max: number) => Promise<Uint8Array | undefined>;
  if (opts.dir) {
    const dir = resolve(opts.dir);
    source = dir;
    get = async (name) => {
      const p = join(dir, name);
      return existsSync(p) ? new Uint8Array(readFileSync(p)) : undefined;
    };
  } else {
    let base = opts.releaseUrl;
    if (!base) {
      if (!repository || !tag)
        throw new WharfError(
          'E_USAGE',
          'No release to check: pass --dir <release files> or --release-url <base>, or run in a project whose plugin.json names a GitHub repository.',
        );
      base = `https://github.com/${repository}/releases/download/${encodeURIComponent(tag)}`;
    }
    const why = urlProblem(base, { allowLoopback: true, field: '--release-url' });
    if (why) throw new WharfError('E_URL_SCHEME', why);
    source = base.replace(/\/+$/, '');
    const limits = opts.limits ?? DEFAULT_LIMITS;
    get = async (name, max) => {
      try {
        return new Uint8Array(await fetchBytes(`${source}/${encodeURIComponent(name)}`, limits, max));
      } catch (e) {
        if (/\b404\b|http 4xx/.test(String((e as Error).message))) return undefined;
        if (isWharfError(e)) throw e;
        // DNS, refused, timeout: most often no network, or a release not pushed yet. Say how to check locally.
        throw new WharfError(
          'E_SOURCE_UNREACHABLE',
          `could not fetch ${source}/${name}: ${(e as Error).message}. To check release files on this machine instead, pass --dir <dir> (holding plugin.json, ${name === 'plugin.json' ? 'plugin.wasm' : name} and its .minisig), or point --release-url at where they are served.`,
          { url: `${source}/${name}` },
        );
      }
    };
  }

  // 1. plugin.json as released.
  const mBytes = await get('plugin.json', MAX_TEXT_ASSET);
  let m: Manifest | undefined;
  if (!mBytes) add('release.assets', 'fail', `E_NOT_FOUND: ${source} has no plugin.json`);
  else {
    let parsed: unknown;
    try {
      // The one JSON entry point, as the review bot reads it: duplicate keys and deep nesting fail here too.
      parsed = parseJson(mBytes, 'plugin.json');
    } catch (e) {
      add('manifest.schema', 'fail', `E_SCHEMA: ${(e as Error).message}`);
    }
    if (parsed !== undefined) {
      const v = validateManifest(parsed);
      if (v.ok) {
        m = v.value;
        add('manifest.schema', 'pass', `${m.id}@${m.version} is a valid manifest`);
      } else add('manifest.schema', 'fail', `${v.problems[0]?.code}: ${v.problems[0]?.message}`);
    }
  }
  const id = m?.id ?? local?.id ?? '';
  const version = m?.version ?? local?.version ?? '';
  const theTag = tag ?? (version ? `v${version}` : '');
  if (m) {
    if (theTag && theTag !== `v${m.version}` && theTag !== m.version)
      add('release.tag', 'fail', `E_SUBMISSION_INVALID: tag ${theTag} does not match version ${m.version}`);
    else add('release.tag', 'pass', `tag ${theTag} matches version ${m.version}`);
    if (local && (local.id !== m.id || local.version !== m.version))
      add(
        'release.manifest-matches',
        'warn',
        `the released plugin.json is ${m.id}@${m.version}, the local one ${local.id}@${local.version}`,
      );
  }

  if (m) {
    const left = placeholders(m);
    add(
      'manifest.placeholders',
      left.length ? 'fail' : 'pass',
      left.length
        ? `E_SUBMISSION_INVALID: plugin.json still has the template's placeholders in ${left.join(', ')}; fill them in (plugin init --owner, --author and --description set them), release again and re-run`
        : 'no template placeholders left',
    );
  }

  // 2. The wasm and its signature.
  let sha256: string | undefined;
  let keyid: string | undefined;
  if (m) {
    const wasm = await get(m.wasm, MAX_ARTIFACT_BYTES);
    const sig = await get(`${m.wasm}.minisig`, MAX_TEXT_ASSET);
    const missing = [!wasm && m.wasm, !sig && `${m.wasm}.minisig`].filter(Boolean);
    if (missing.length) add('release.assets', 'fail', `E_NOT_FOUND: ${source} lacks ${missing.join(' and ')}`);
    else add('release.assets', 'pass', `plugin.json, ${m.wasm} and ${m.wasm}.minisig are there`);
    if (wasm) {
      sha256 = createHash('sha256').update(wasm).digest('hex');
      add('artifact.digest', 'pass', `sha256 ${sha256}, ${wasm.length} bytes`);
      checks.push(...scanWasm(wasm, m).checks);
    }
    if (wasm && sig) {
      if (!m.signing_key)
        add(
          'signature.valid',
          'fail',
          'E_SIG_INVALID: plugin.json has no signing_key; run `wharf plugin key` in the project (after `wharf keygen`), then build, sign and release again',
        );
      else {
        try {
          const sigText = Buffer.from(sig).toString('utf8');
          keyid = parseSignature(sigText).keyid;
          // The review bot's own check (minisign -V, ED or legacy Ed, then the binding).
          verifyReleaseSignature({
            data: wasm,
            sha256: sha256 as string,
            minisig: sigText,
            publicKey: parsePublicKey(m.signing_key),
            id: m.id,
            version: m.version,
          });
          add('signature.valid', 'pass', `signed by key ${keyid}`);
          add('signature.binding', 'pass', `bound to ${m.id}@${m.version} sha256 ${sha256?.slice(0, 12)}…`);
        } catch (e) {
          const w = isWharfError(e) ? e : new WharfError('E_SIG_INVALID', String(e));
          if (w.code === 'E_SIG_BINDING') {
            add('signature.valid', 'pass', `signed by key ${keyid}`);
            add('signature.binding', 'fail', `${w.code}: ${w.message}`);
          } else add('signature.valid', 'fail', `${w.code}: ${w.message}`);
        }
      }
    }
  }

  if (m) checks.push(...repoChecks(resolve(opts.projectDir ?? '.'), m));

  const fields: Record<string, string> = {
    plugin_id: id,
    repository: repository ?? '',
    tag: theTag,
    public_key: m?.signing_key ?? local?.signing_key ?? '',
  };
  if (opts.giteeRepository) fields.gitee_repository = opts.giteeRepository;
  if (m?.category) fields.category = categoryOption(m.category);
  if (m?.license) fields.license = m.license;
  if (m) fields.permissions = permissionLines(m);
  return {
    plugin_id: id,
    version,
    tag: theTag,
    repository: repository ?? '',
    source,
    ...(sha256 ? { sha256 } : {}),
    ...(keyid ? { keyid } : {}),
    checks,
    passed: checks.every((c) => c.status !== 'fail'),
    form_url: submissionFormUrl(opts.marketplace ?? DEFAULT_MARKETPLACE, fields, `Plugin submission: ${id} ${theTag}`),
    fields,
  };
}

/** Fields of the released plugin.json that still hold what `plugin init` wrote for want of a value. */
export function placeholders(m: Manifest): string[] {
  const out: string[] = [];
  const has = (v: unknown, what: string) => typeof v === 'string' && v.toLowerCase().includes(what.toLowerCase());
  if (has(m.author?.name, PLACEHOLDER_AUTHOR)) out.push('author.name');
  for (const [field, value] of [
    ['author.github', m.author?.github],
    ['homepage', m.homepage],
    ['repository', m.repository],
  ] as const)
    if (has(value, PLACEHOLDER_OWNER)) out.push(field);
  if (has(m.description, PLACEHOLDER_DESCRIPTION)) out.push('description');
  return out;
}

/** GitHub issue forms prefill a field from a query parameter named after the field's id. */
export function submissionFormUrl(marketplace: string, fields: Record<string, string>, title?: string): string {
  if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(marketplace))
    throw new WharfError('E_USAGE', `--marketplace takes owner/repo, got ${JSON.stringify(marketplace)}.`);
  const q = new URLSearchParams({ template: SUBMISSION_TEMPLATE });
  if (title) q.set('title', title);
  for (const [k, v] of Object.entries(fields)) if (v) q.set(k, v);
  return `https://github.com/${marketplace}/issues/new?${q.toString()}`;
}

/** The issue form's dropdown option for a category: "Utilities / 实用工具 (utility)". */
function categoryOption(id: string): string {
  const c = DEFAULT_CATEGORIES.find((x) => x.id === id);
  return c ? `${c.name} / ${c.name_zh} (${c.id})` : id;
}

/** The form's permissions field: one `name: justification` line per declared permission, or `none`. */
function permissionLines(m: Manifest): string {
  const lines = PERMISSION_NAMES.filter((n) => isPermissionDeclared(m.permissions, n)).map(
    (n) => `${n}: ${m.permissions.justifications?.[n] ?? ''}`,
  );
  return lines.length ? lines.join('\n') : 'none';
}

/**
 * What the bot reads from the repository at the tag, checked in the local checkout (a hint: the bot reads the
 * pushed tag): minisign.pub equal to the signing key, a LICENSE and a README.
 */
function repoChecks(dir: string, m: Manifest): CheckResult[] {
  const out: CheckResult[] = [];
  const pubPath = join(dir, 'minisign.pub');
  let same: boolean | undefined;
  if (existsSync(pubPath)) {
    try {
      same = parsePublicKey(readFileSync(pubPath, 'utf8')).base64 === m.signing_key;
    } catch {
      same = false;
    }
  }
  out.push(
    same === undefined
      ? {
          id: 'key.repo',
          status: 'fail',
          message: `E_SIG_INVALID: no ${pubPath}; \`wharf plugin key\` writes it (your public key), then commit it`,
        }
      : same
        ? { id: 'key.repo', status: 'pass', message: 'minisign.pub is the signing key' }
        : {
            id: 'key.repo',
            status: 'fail',
            message: 'E_KEY_CHANGED: minisign.pub differs from plugin.json signing_key',
          },
  );
  const has = (re: RegExp) => existsSync(dir) && readdirSync(dir).some((f) => re.test(f));
  out.push(
    has(/^(LICEN[CS]E|COPYING)(\.|$)/i)
      ? { id: 'license.present', status: 'pass', message: 'LICENSE present' }
      : { id: 'license.present', status: 'warn', message: 'no LICENSE file in the project' },
    has(/^README(\.|$)/i)
      ? { id: 'readme.present', status: 'pass', message: 'README present' }
      : { id: 'readme.present', status: 'warn', message: 'no README in the project' },
  );
  return out;
}

/** owner/repo from a GitHub (or Gitee) https URL; undefined for anything else. */
export function repoSlug(url: string | undefined): string | undefined {
  const m = url?.match(/^https:\/\/(?:github\.com|gitee\.com)\/([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

function readLocalManifest(opts: SubmitOptions): Manifest | undefined {
  const p = join(resolve(opts.projectDir ?? opts.dir ?? '.'), 'plugin.json');
  if (!existsSync(p)) return undefined;
  try {
    const v = validateManifest(JSON.parse(readFileSync(p, 'utf8')));
    return v.ok ? v.value : undefined;
  } catch {
    return undefined;
  }
}
