// Compiled validators: the JSON Schema first, then the content rules it cannot express (rules.ts).
import type { ErrorObject, ValidateFunction } from 'ajv';
import { type ErrorCode, WharfError } from './errors.js';
import { defsSchema } from './generated/schemas.js';
import { lockfile, manifest, permissions, registry, report, sources, submission } from './generated/validators.js';
import { MAX_JSON_DEPTH } from './json-limits.js';
import {
  checkPermissions,
  idCollisionKey,
  idProblem,
  isPermissionName,
  latestVersionProblem,
  textProblem,
  urlProblem,
} from './rules.js';
import type { Lockfile, Manifest, Permissions, Registry, ReviewReport, SourcesConfig, Submission } from './types.js';

/** One thing wrong with a document. `path` is a JSON Pointer into it ('' is the whole document). */
export type Problem = { path: string; code: ErrorCode; message: string };
export type Validation<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export const SCHEMA_BASE = 'https://wharf.dev/schemas/';

// The schemas are compiled at build time (ajv standalone code, scripts/gen-validators.mjs): compiling them at run
// time cost every CLI start the ajv import and ~20-50 ms per schema used.
const compiled =
  (v: unknown): (() => ValidateFunction) =>
  () =>
    v as ValidateFunction;

const validators = {
  manifest: compiled(manifest),
  registry: compiled(registry),
  lockfile: compiled(lockfile),
  sources: compiled(sources),
  report: compiled(report),
  submission: compiled(submission),
};

// ---------------------------------------------------------------------------------------------------------------
// Schema errors → problems

export function jsonPointer(...segments: Array<string | number>): string {
  return segments.map((s) => `/${String(s).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

// The id patterns as they appear in defs.schema.json; a failure of one of them is E_ID_INVALID, not E_SCHEMA.
const ID_SCHEMA_PATTERNS = new Set<string>();
{
  // Only defs: importing ALL_SCHEMAS built every schema's object at start (~0.3 ms of each command).
  const defs = defsSchema.definitions as Record<string, { pattern?: string }> | undefined;
  for (const name of ['id', 'addressedId']) {
    const p = defs?.[name]?.pattern;
    if (p) ID_SCHEMA_PATTERNS.add(p);
  }
}

function schemaProblem(e: ErrorObject): Problem {
  const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
  const path = propertyName === undefined ? e.instancePath : `${e.instancePath}${jsonPointer(propertyName)}`;
  const where = path === '' ? 'the document' : path;
  if (e.keyword === 'pattern' && ID_SCHEMA_PATTERNS.has(String(e.params.pattern))) {
    const value = propertyName ?? e.data;
    const bare = typeof value === 'string' && value.includes(':') ? value.slice(value.indexOf(':') + 1) : value;
    return {
      path,
      code: 'E_ID_INVALID',
      message: `${where}: ${idProblem(bare) ?? `invalid id ${JSON.stringify(value)}`}`,
    };
  }
  let detail: string;
  switch (e.keyword) {
    case 'additionalProperties':
      detail = `unknown property "${String(e.params.additionalProperty)}"`;
      break;
    case 'required':
      detail = `missing required property "${String(e.params.missingProperty)}"`;
      break;
    case 'enum':
      detail = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'const':
      detail = `must be ${JSON.stringify(e.params.allowedValue)}`;
      break;
    case 'pattern':
      detail = `${JSON.stringify(e.data)} does not match ${String(e.params.pattern)}`;
      break;
    default:
      detail = e.message ?? `fails ${e.keyword}`;
  }
  return { path, code: 'E_SCHEMA', message: `${where}: ${detail}` };
}

function runSchema(v: ValidateFunction, x: unknown): Problem[] {
  if (v(x)) return [];
  return (v.errors ?? []).slice(0, 1).map(schemaProblem);
}

// ---------------------------------------------------------------------------------------------------------------
// Content rules shared by every kind

// Free-form subtrees (an export's JSON Schemas) may hold multiline strings anywhere.
const FREEFORM_KEYS = new Set(['input_schema', 'output_schema']);

/** Control and bidi characters anywhere in the document, keys included. */
function textProblems(x: unknown): Problem[] {
  const problems: Problem[] = [];
  const walk = (v: unknown, path: string, field: string | undefined, freeform: boolean, depth = 0): void => {
    if (depth > MAX_JSON_DEPTH) {
      problems.push({ path, code: 'E_SCHEMA', message: `${path}: nests deeper than ${MAX_JSON_DEPTH} levels` });
      return;
    }
    if (typeof v === 'string') {
      const why = textProblem(v, freeform ? 'description' : field);
      if (why !== undefined)
        problems.push({ path, code: 'E_TEXT_CONTROL_CHARS', message: `${path || 'the document'}: ${why}` });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        walk(item, `${path}/${i}`, field, freeform, depth + 1);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const childPath = `${path}${jsonPointer(k)}`;
        const keyWhy = textProblem(k);
        if (keyWhy !== undefined) {
          problems.push({
            path: childPath,
            code: 'E_TEXT_CONTROL_CHARS',
            message: `${childPath}: the key's ${keyWhy}`,
          });
        }
        // A justification's key is the permission name; its text is prose.
        const childField = field === 'justifications' ? 'justification' : k;
        walk(child, childPath, childField, freeform || FREEFORM_KEYS.has(k), depth + 1);
      }
    }
  };
  walk(x, '', undefined, false);
  return problems;
}

function urlCheck(problems: Problem[], url: string | undefined, path: string, allowLoopback: boolean): void {
  if (url === undefined) return;
  const why = urlProblem(url, { allowLoopback, field: path });
  if (why !== undefined) problems.push({ path, code: 'E_URL_SCHEME', message: why });
}

function dependencyProblems(
  selfId: string | undefined,
  deps: Record<string, string> | undefined,
  base: string,
): Problem[] {
  if (!deps || selfId === undefined || !(selfId in deps)) return [];
  return [
    { path: `${base}/dependencies${jsonPointer(selfId)}`, code: 'E_DEP_CYCLE', message: `${selfId} depends on itself` },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Per-kind rules

function manifestRules(m: Manifest): Problem[] {
  const problems: Problem[] = [];
  // The review bot and the site link these; only https (DESIGN §2).
  urlCheck(problems, m.homepage, '/homepage', false);
  urlCheck(problems, m.repository, '/repository', false);
  problems.push(...checkPermissions(m.permissions, '/permissions'));
  problems.push(...dependencyProblems(m.id, m.dependencies, ''));
  return problems;
}

function registryRules(r: Registry): Problem[] {
  const problems: Problem[] = [];
  const categoryIds = new Map<string, number>();
  r.categories.forEach((c, i) => {
    const first = categoryIds.get(c.id);
    if (first !== undefined) {
      problems.push({
        path: `/categories/${i}/id`,
        code: 'E_NAME_CONFLICT',
        message: `category "${c.id}" is also /categories/${first}`,
      });
    } else {
      categoryIds.set(c.id, i);
    }
  });

  const ids = new Map<string, number>();
  const keys = new Map<string, number>();
  r.plugins.forEach((p, i) => {
    const base = `/plugins/${i}`;
    const sameId = ids.get(p.plugin_id);
    const sameKey = keys.get(idCollisionKey(p.plugin_id));
    if (sameId !== undefined) {
      problems.push({
        path: `${base}/plugin_id`,
        code: 'E_NAME_CONFLICT',
        message: `plugin id "${p.plugin_id}" is also /plugins/${sameId}`,
      });
    } else if (sameKey !== undefined) {
      const other = r.plugins[sameKey]?.plugin_id ?? '';
      problems.push({
        path: `${base}/plugin_id`,
        code: 'E_NAME_CONFLICT',
        message: `plugin id "${p.plugin_id}" collides with "${other}" (/plugins/${sameKey}) once "-" is removed`,
      });
    }
    if (sameId === undefined) ids.set(p.plugin_id, i);
    if (sameKey === undefined) keys.set(idCollisionKey(p.plugin_id), i);

    if (!categoryIds.has(p.category)) {
      problems.push({
        path: `${base}/category`,
        code: 'E_CATEGORY_UNKNOWN',
        message: `category "${p.category}" is not one of the registry's categories (${[...categoryIds.keys()].join(', ')})`,
      });
    }
    if (p.replaced_by === p.plugin_id) {
      problems.push({ path: `${base}/replaced_by`, code: 'E_SCHEMA', message: `${p.plugin_id} cannot replace itself` });
    }
    urlCheck(problems, p.homepage, `${base}/homepage`, false);
    for (const which of ['primary', 'mirror'] as const) {
      const ref = p.repository[which];
      if (!ref) continue;
      urlCheck(problems, ref.url, `${base}/repository/${which}/url`, false);
      urlCheck(problems, ref.api_url, `${base}/repository/${which}/api_url`, false);
      urlCheck(problems, ref.releases_url, `${base}/repository/${which}/releases_url`, false);
    }

    const latestWhy = latestVersionProblem(p);
    if (latestWhy) problems.push({ path: `${base}/versions/latest`, code: 'E_SCHEMA', message: latestWhy });
    const wx = p.wxauto;
    for (const k of ['demo_video', 'documentation', 'issue_tracker', 'author_website'] as const)
      urlCheck(problems, wx?.[k], `${base}/wxauto/${k}`, false);
    wx?.screenshots?.forEach((u, n) => {
      urlCheck(problems, u, `${base}/wxauto/screenshots/${n}`, false);
    });

    const keyids = new Set<string>();
    p.keys.forEach((k, j) => {
      const id = k.keyid.toLowerCase();
      if (keyids.has(id))
        problems.push({ path: `${base}/keys/${j}/keyid`, code: 'E_SCHEMA', message: `key ${k.keyid} is listed twice` });
      keyids.add(id);
    });

    const versions = new Map<string, number>();
    p.releases.forEach((rel, k) => {
      const rbase = `${base}/releases/${k}`;
      const first = versions.get(rel.version);
      if (first !== undefined) {
        problems.push({
          path: `${rbase}/version`,
          code: 'E_VERSION_IMMUTABLE',
          message: `${p.plugin_id}@${rel.version} is already published at ${base}/releases/${first}; a release is immutable`,
        });
      } else {
        versions.set(rel.version, k);
      }
      rel.artifact.urls.forEach((u, n) => {
        urlCheck(problems, u, `${rbase}/artifact/urls/${n}`, true);
      });
      if (!keyids.has(rel.keyid.toLowerCase())) {
        problems.push({
          path: `${rbase}/keyid`,
          code: 'E_SCHEMA',
          message: `${p.plugin_id}@${rel.version} is signed by key ${rel.keyid}, which is not in ${base}/keys`,
        });
      }
      problems.push(...checkPermissions(rel.permissions, `${rbase}/permissions`));
      problems.push(...dependencyProblems(p.plugin_id, rel.dependencies, rbase));
    });
  });
  return problems;
}

function lockfileRules(l: Lockfile): Problem[] {
  const problems: Problem[] = [];
  for (const [key, e] of Object.entries(l.plugins)) {
    const base = `/plugins${jsonPointer(key)}`;
    if (e.id !== key) {
      problems.push({ path: `${base}/id`, code: 'E_LOCK_MISMATCH', message: `entry "${key}" records id "${e.id}"` });
    }
    // The path is joined onto <home>; anything that could leave it is refused.
    const segments = e.path.split('/');
    if (
      e.path.startsWith('/') ||
      e.path.includes('\\') ||
      /^[A-Za-z]:/.test(e.path) ||
      segments.some((s) => s === '..' || s === '.' || s === '')
    ) {
      problems.push({
        path: `${base}/path`,
        code: 'E_PATH_ESCAPE',
        message: `path ${JSON.stringify(e.path)} must be a plain relative path under home`,
      });
    }
    problems.push(...checkPermissions(e.permissions, `${base}/permissions`));
  }
  return problems;
}

function sourcesRules(s: SourcesConfig): Problem[] {
  const problems: Problem[] = [];
  const aliases = new Map<string, number>();
  s.sources.forEach((src, i) => {
    const first = aliases.get(src.alias);
    if (first !== undefined) {
      problems.push({
        path: `/sources/${i}/alias`,
        code: 'E_SOURCE_CONFLICT',
        message: `source alias "${src.alias}" is also /sources/${first}`,
      });
    } else {
      aliases.set(src.alias, i);
    }
    // Sources may be local (tests, `npm start`), so loopback http is allowed here.
    src.mirrors.forEach((u, n) => {
      urlCheck(problems, u, `/sources/${i}/mirrors/${n}`, true);
    });
    urlCheck(problems, src.last_good, `/sources/${i}/last_good`, true);
  });
  if (s.current !== undefined && !aliases.has(s.current)) {
    problems.push({
      path: '/current',
      code: 'E_SOURCE_UNKNOWN',
      message: `current source "${s.current}" is not configured`,
    });
  }
  return problems;
}

/** DESIGN §5: no failed check, security ≥ 80 and quality ≥ 70. */
export function reportPasses(r: Pick<ReviewReport, 'checks' | 'security_score' | 'quality_score'>): boolean {
  return r.checks.every((c) => c.status !== 'fail') && r.security_score >= 80 && r.quality_score >= 70;
}

function reportRules(r: ReviewReport): Problem[] {
  if (r.passed === reportPasses(r)) return [];
  return [
    {
      path: '/passed',
      code: 'E_SCHEMA',
      message: `passed is ${r.passed}, but the checks and scores say ${!r.passed} (no failed check, security ≥ 80, quality ≥ 70)`,
    },
  ];
}

function submissionRules(s: Submission): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  s.permissions.forEach((p, i) => {
    if (!isPermissionName(p.permission)) {
      problems.push({
        path: `/permissions/${i}/permission`,
        code: 'E_PERMISSION_UNKNOWN',
        message: `unknown permission "${p.permission}"`,
      });
    } else if (seen.has(p.permission)) {
      problems.push({
        path: `/permissions/${i}/permission`,
        code: 'E_SCHEMA',
        message: `permission "${p.permission}" is listed twice`,
      });
    }
    seen.add(p.permission);
    if (p.justification.trim() === '') {
      problems.push({
        path: `/permissions/${i}/justification`,
        code: 'E_SCHEMA',
        message: `permission "${p.permission}" needs a justification`,
      });
    }
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Public validators

function validator<T>(v: () => ValidateFunction, rules: (x: T) => Problem[]): (x: unknown) => Validation<T> {
  return (x) => {
    const schema = runSchema(v(), x);
    if (schema.length > 0) return { ok: false, problems: schema };
    const problems = [...rules(x as T), ...textProblems(x)];
    return problems.length === 0 ? { ok: true, value: x as T } : { ok: false, problems };
  };
}

export const validateManifest: (x: unknown) => Validation<Manifest> = validator(validators.manifest, manifestRules);
export const validateRegistry: (x: unknown) => Validation<Registry> = validator(validators.registry, registryRules);
export const validateLockfile: (x: unknown) => Validation<Lockfile> = validator(validators.lockfile, lockfileRules);
export const validateSources: (x: unknown) => Validation<SourcesConfig> = validator(validators.sources, sourcesRules);
export const validateReport: (x: unknown) => Validation<ReviewReport> = validator(validators.report, reportRules);
export const validateSubmission: (x: unknown) => Validation<Submission> = validator(
  validators.submission,
  submissionRules,
);

const compiledPermissions = compiled(permissions);

/** Validates just a permissions object (schema + justifications), e.g. one built from an issue form. */
export function validatePermissions(p: unknown, basePath = '/permissions'): Problem[] {
  const v = compiledPermissions();
  if (!v(p))
    return (v.errors ?? [])
      .slice(0, 1)
      .map((e) => schemaProblem({ ...e, instancePath: `${basePath}${e.instancePath}` }));
  return checkPermissions(p as Permissions, basePath);
}

function asserter<T>(what: string, validate: (x: unknown) => Validation<T>): (x: unknown) => T {
  return (x) => {
    const r = validate(x);
    if (r.ok) return r.value;
    const [first] = r.problems;
    const more = r.problems.length > 1 ? ` (and ${r.problems.length - 1} more)` : '';
    const code: ErrorCode = first?.code ?? 'E_SCHEMA';
    throw new WharfError(code, `Invalid ${what}: ${first?.message ?? 'unknown problem'}${more}.`, {
      problems: r.problems,
    });
  };
}

export const assertManifest: (x: unknown) => Manifest = asserter('plugin manifest', validateManifest);
export const assertRegistry: (x: unknown) => Registry = asserter('registry', validateRegistry);
export const assertLockfile: (x: unknown) => Lockfile = asserter('lockfile', validateLockfile);
export const assertSources: (x: unknown) => SourcesConfig = asserter('sources config', validateSources);
export const assertReport: (x: unknown) => ReviewReport = asserter('review report', validateReport);
export const assertSubmission: (x: unknown) => Submission = asserter('submission', validateSubmission);
