// Adapter over the validators the schemas engineer is adding to '@wharf/schemas'. Each export prefers the real
// function and falls back to a deliberately small local check so tools/ builds and tests run in the meantime.
// TODO(contract): once '@wharf/schemas' exports readManifest/validateManifest/validateDocument/checkUrl/checkId,
// replace this file with plain re-exports and delete the fallbacks.
import * as schemas from '@wharf/schemas';
import { type Manifest, WharfError } from '@wharf/schemas';

export interface Problem {
  path: string; // JSON path, e.g. "/plugins/0/plugin_id"
  code: string; // E_… code
  message: string;
}

export interface DocumentValidation {
  kind: string; // manifest | registry | report | submission | … | unknown
  problems: Problem[];
}

interface SchemasApi {
  readManifest(input: unknown): Manifest;
  validateManifest(input: unknown): unknown;
  validateDocument(input: unknown): unknown;
  checkUrl(url: string, opts?: { allowLoopback?: boolean }): unknown;
  checkId(id: string): unknown;
}

const api = schemas as unknown as Partial<SchemasApi>;

/** The validators may return problems as an array, `{problems}`, or `{errors}`; normalise to Problem[]. */
function toProblems(result: unknown): Problem[] {
  const list = Array.isArray(result)
    ? result
    : result && typeof result === 'object'
      ? ((result as { problems?: unknown[]; errors?: unknown[] }).problems ??
        (result as { errors?: unknown[] }).errors ??
        [])
      : [];
  return list.map((p) => {
    const o = (p ?? {}) as Record<string, unknown>;
    return {
      path: String(o.path ?? o.instancePath ?? ''),
      code: String(o.code ?? 'E_SCHEMA'),
      message: String(o.message ?? ''),
    };
  });
}

const ID_RE = /^[a-z][a-z0-9-]{1,62}[a-z0-9]$/;
const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

function fallbackCheckId(id: string): void {
  if (!ID_RE.test(id) || id.includes('--'))
    throw new WharfError('E_ID_INVALID', `invalid plugin id ${JSON.stringify(id)}`);
}

function fallbackManifestProblems(m: unknown): Problem[] {
  const problems: Problem[] = [];
  if (!m || typeof m !== 'object' || Array.isArray(m))
    return [{ path: '', code: 'E_SCHEMA', message: 'not an object' }];
  const o = m as Record<string, unknown>;
  for (const f of ['id', 'name', 'version', 'description', 'license', 'category', 'wasm']) {
    if (typeof o[f] !== 'string' || o[f] === '')
      problems.push({ path: `/${f}`, code: 'E_SCHEMA', message: `${f} is required` });
  }
  if (typeof o.id === 'string' && (!ID_RE.test(o.id) || o.id.includes('--'))) {
    problems.push({
      path: '/id',
      code: 'E_ID_INVALID',
      message: 'id must match ^[a-z][a-z0-9-]{1,62}[a-z0-9]$ with no --',
    });
  }
  if (typeof o.version === 'string' && !SEMVER_RE.test(o.version)) {
    problems.push({ path: '/version', code: 'E_SCHEMA', message: 'version must be SemVer' });
  }
  if (!o.author || typeof o.author !== 'object')
    problems.push({ path: '/author', code: 'E_SCHEMA', message: 'author is required' });
  if (!Array.isArray(o.exports))
    problems.push({ path: '/exports', code: 'E_SCHEMA', message: 'exports must be an array' });
  if (!o.permissions || typeof o.permissions !== 'object') {
    problems.push({ path: '/permissions', code: 'E_SCHEMA', message: 'permissions is required' });
  }
  return problems;
}

function fallbackDocument(doc: unknown): DocumentValidation {
  const o = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  if ('schema_version' in o && 'plugins' in o) {
    const problems: Problem[] = [];
    if (o.schema_version !== 1) problems.push({ path: '/schema_version', code: 'E_SCHEMA', message: 'must be 1' });
    if (!Array.isArray(o.plugins)) problems.push({ path: '/plugins', code: 'E_SCHEMA', message: 'must be an array' });
    if (!Array.isArray(o.categories))
      problems.push({ path: '/categories', code: 'E_SCHEMA', message: 'must be an array' });
    const plugins = Array.isArray(o.plugins) ? o.plugins : [];
    plugins.forEach((p, i) => {
      const id = (p as Record<string, unknown> | null)?.plugin_id;
      if (typeof id !== 'string' || !ID_RE.test(id) || id.includes('--')) {
        problems.push({ path: `/plugins/${i}/plugin_id`, code: 'E_ID_INVALID', message: 'invalid plugin id' });
      }
    });
    return { kind: 'registry', problems };
  }
  if ('report_version' in o) return { kind: 'report', problems: [] };
  if ('id' in o && 'version' in o) return { kind: 'manifest', problems: fallbackManifestProblems(o) };
  return { kind: 'unknown', problems: [{ path: '', code: 'E_SCHEMA', message: 'unrecognised document' }] };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function fallbackCheckUrl(url: string, opts: { allowLoopback?: boolean } = {}): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new WharfError('E_URL_SCHEME', `not a URL: ${JSON.stringify(url)}`);
  }
  if (u.protocol === 'https:') return;
  if (opts.allowLoopback && u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return;
  throw new WharfError('E_URL_SCHEME', `URL must be https: ${JSON.stringify(url)}`);
}

/** Maps legacy manifest shapes onto the native one (real impl), then validates; throws E_SCHEMA on problems. */
export function readManifest(input: unknown): Manifest {
  const manifest = api.readManifest ? api.readManifest(input) : (input as Manifest);
  const problems = validateManifest(manifest);
  if (problems.length > 0) {
    const first = problems[0];
    throw new WharfError(
      (first?.code as never) ?? 'E_SCHEMA',
      `manifest is invalid: ${problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ')}`,
      { problems },
    );
  }
  return manifest;
}

export function validateManifest(input: unknown): Problem[] {
  return api.validateManifest ? toProblems(api.validateManifest(input)) : fallbackManifestProblems(input);
}

export function validateDocument(input: unknown): DocumentValidation {
  if (!api.validateDocument) return fallbackDocument(input);
  const r = api.validateDocument(input) as { kind?: unknown } | undefined;
  return { kind: String(r?.kind ?? 'unknown'), problems: toProblems(r) };
}

/** Throws WharfError E_URL_SCHEME unless the URL is acceptable. */
export function checkUrl(url: string, opts: { allowLoopback?: boolean } = {}): void {
  if (!api.checkUrl) {
    fallbackCheckUrl(url, opts);
    return;
  }
  const r = api.checkUrl(url, opts);
  // Tolerate a boolean/result-object style as well as a throwing one.
  if (r === false || (r && typeof r === 'object' && (r as { ok?: boolean }).ok === false)) {
    throw new WharfError('E_URL_SCHEME', `URL not allowed: ${JSON.stringify(url)}`);
  }
}

/** Throws WharfError E_ID_INVALID unless `id` is a valid plugin id. */
export function checkId(id: string): void {
  if (!api.checkId) {
    fallbackCheckId(id);
    return;
  }
  const r = api.checkId(id);
  if (r === false || (r && typeof r === 'object' && (r as { ok?: boolean }).ok === false)) {
    throw new WharfError('E_ID_INVALID', `invalid plugin id ${JSON.stringify(id)}`);
  }
}
