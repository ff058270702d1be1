// Content rules that JSON Schema cannot express, or that must report a specific error code (DESIGN.md §2).
import semver from 'semver';
import { WharfError } from './errors.js';
import type { PermissionName, Permissions, RegistryPlugin } from './types.js';
import type { Problem } from './validate.js';

// ---------------------------------------------------------------------------------------------------------------
// Ids

/** The id rule; the `--` ban is a separate check so the messages can say which rule failed. */
export const ID_PATTERN = /^[a-z][a-z0-9-]{1,62}[a-z0-9]$/;
export const ID_MAX_LENGTH = 64;

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id) && !id.includes('--');
}

/** Why `id` breaks the id rule, or undefined when it is valid. */
export function idProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return 'an id must be a string';
  // JSON.stringify keeps control characters and quotes in the message visible and inert.
  const shown = JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id);
  if (id.length < 3) return `id ${shown} is too short (3 to ${ID_MAX_LENGTH} characters)`;
  if (id.length > ID_MAX_LENGTH) return `id ${shown} is too long (${id.length} characters, at most ${ID_MAX_LENGTH})`;
  if (!/^[a-z]/.test(id)) return `id ${shown} must start with a lowercase letter`;
  if (!/^[a-z0-9-]+$/.test(id)) return `id ${shown} may only contain lowercase letters, digits and "-"`;
  if (id.endsWith('-')) return `id ${shown} must not end with "-"`;
  if (id.includes('--')) return `id ${shown} must not contain "--"`;
  return undefined;
}

/** Throws E_ID_INVALID. Ids become path segments, git refs and URL parts, so anything else is refused outright. */
export function checkId(id: unknown): asserts id is string {
  const why = idProblem(id);
  if (why !== undefined) {
    throw new WharfError('E_ID_INVALID', `Invalid plugin id: ${why}; ids match ${ID_PATTERN.source} with no "--".`, {
      id: typeof id === 'string' ? id : String(id),
    });
  }
}

/** Two ids that differ only by '-' (count-vowels / countvowels) name the same plugin to a human; refuse the second. */
export function idCollisionKey(id: string): string {
  return id.replaceAll('-', '');
}

// ---------------------------------------------------------------------------------------------------------------
// Versions

/** semver.org's regular expression (same as defs.schema.json#/definitions/semver). */
export const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][a-zA-Z0-9-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][a-zA-Z0-9-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isSemver(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 256 && SEMVER_PATTERN.test(v);
}

/**
 * DESIGN §2: `versions.latest` is the highest non-yanked, non-prerelease release, so it may name a prerelease only
 * when no stable release is live. (Which stable one is a summary the publishing tools keep; clients resolve from
 * the releases. Entries without releases, such as legacy imports, pin nothing to check.)
 */
export function latestVersionProblem(p: Pick<RegistryPlugin, 'versions' | 'releases'>): string | undefined {
  if (semver.prerelease(p.versions.latest) === null) return undefined;
  const stable = p.releases
    .filter((r) => !r.yanked && semver.valid(r.version) && semver.prerelease(r.version) === null)
    .map((r) => r.version);
  if (stable.length === 0) return undefined;
  const highest = semver.rsort(stable)[0] as string;
  return `versions.latest is the prerelease ${p.versions.latest}, but stable ${highest} exists; latest is the highest non-yanked, non-prerelease release`;
}

// ---------------------------------------------------------------------------------------------------------------
// URLs

export interface UrlCheckOptions {
  /** Also accept plain http to 127.0.0.1, localhost and [::1] on any port (artifact and source URLs). */
  allowLoopback?: boolean;
  /** Field name for the error message, e.g. "homepage". */
  field?: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function parseUrl(url: string): URL | undefined {
  // WHATWG URL parsing silently strips tab/newline and leading/trailing C0 and spaces, so `java\tscript:` would
  // parse as `javascript:`. Refuse any such byte before parsing instead of trusting the parser's cleanup.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  if (/[\u0000-\u0020\u007f-\u009f]/.test(url)) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

export function isLoopbackUrl(url: string): boolean {
  const u = parseUrl(url);
  return (
    u !== undefined &&
    u.protocol === 'http:' &&
    LOOPBACK_HOSTS.has(u.hostname) &&
    u.username === '' &&
    u.password === ''
  );
}

/** Why `url` is refused, or undefined when it is acceptable. */
export function urlProblem(url: unknown, opts: UrlCheckOptions = {}): string | undefined {
  const field = opts.field ?? 'URL';
  if (typeof url !== 'string') return `${field} must be a string`;
  const shown = JSON.stringify(url.length > 120 ? `${url.slice(0, 120)}…` : url);
  const u = parseUrl(url);
  if (u === undefined) return `${field} ${shown} is not a valid absolute URL`;
  // Credentials in a URL end up in logs and on pages.
  if (u.username !== '' || u.password !== '') return `${field} ${shown} must not carry a user name or password`;
  if (u.protocol === 'https:') return u.hostname === '' ? `${field} ${shown} has no host` : undefined;
  if (opts.allowLoopback && isLoopbackUrl(url)) return undefined;
  const allowed = opts.allowLoopback ? 'https: (or http: to 127.0.0.1, localhost or [::1])' : 'https:';
  return `${field} ${shown} uses ${u.protocol} but must use ${allowed}`;
}

/** Throws E_URL_SCHEME unless `url` is https (or loopback http when allowed). */
export function checkUrl(url: unknown, opts: UrlCheckOptions = {}): asserts url is string {
  const why = urlProblem(url, opts);
  if (why !== undefined) {
    throw new WharfError('E_URL_SCHEME', `Refused URL: ${why}.`, { url: String(url), field: opts.field ?? 'URL' });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Display text

/**
 * Fields whose text may span lines: `\n` and `\t` are allowed there, nowhere else. `\r\n` is folded to `\n` first
 * (issue forms deliver CRLF); a lone `\r` is still refused because it rewrites terminal lines.
 */
export const MULTILINE_FIELDS: ReadonlySet<string> = new Set([
  'description',
  'description_zh',
  'justification',
  'message',
  'minisig',
  'readme',
  'sample_input',
  'score_formula',
  'yanked_reason',
  'deprecated',
]);

// C0 controls, DEL and C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_EXCEPT_NL_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;
// Bidi embeddings/overrides/isolates and the implicit marks: they make text render in a different order than it
// is stored (Trojan Source), so a name or description could show something other than what was reviewed.
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u;

function isMultilineField(field: string | undefined): boolean {
  if (field === undefined) return false;
  const last = field.split(/[/.]/).pop() ?? field;
  return MULTILINE_FIELDS.has(last);
}

/** Why `s` is refused as display text for `field`, or undefined. Does not normalise. */
export function textProblem(s: string, field?: string): string | undefined {
  const name = field ?? 'text';
  const text = isMultilineField(field) ? s.replaceAll('\r\n', '\n') : s;
  const ctl = (isMultilineField(field) ? CONTROL_EXCEPT_NL_TAB : CONTROL).exec(text);
  if (ctl) {
    const cp = ctl[0].codePointAt(0) ?? 0;
    return `${name} contains the control character U+${cp.toString(16).toUpperCase().padStart(4, '0')} at offset ${ctl.index}`;
  }
  const bidi = BIDI.exec(text);
  if (bidi) {
    const cp = bidi[0].codePointAt(0) ?? 0;
    return `${name} contains the bidirectional control U+${cp.toString(16).toUpperCase().padStart(4, '0')} at offset ${bidi.index}`;
  }
  return undefined;
}

/**
 * Normalises display text as it comes in: NFC (one encoding per character; what the author wrote is kept, so
 * Chinese full-width punctuation "，（）" stays), CRLF → LF in multiline fields. Look-alikes are the confusables
 * check's job, which compares NFKC-folded skeletons. Throws E_TEXT_CONTROL_CHARS on C0/C1 controls (except
 * `\n`/`\t` in MULTILINE_FIELDS such as `description`) and on bidi controls.
 */
export function normalizeText(s: string, field?: string): string {
  const out = s.normalize('NFC');
  const why = textProblem(out, field);
  if (why !== undefined)
    throw new WharfError('E_TEXT_CONTROL_CHARS', `Refused text: ${why}.`, { field: field ?? 'text' });
  return isMultilineField(field) ? out.replaceAll('\r\n', '\n') : out;
}

// ---------------------------------------------------------------------------------------------------------------
// Permissions

export const PERMISSION_NAMES: readonly PermissionName[] = [
  'allowed_hosts',
  'allowed_paths',
  'config_keys',
  'host_functions',
  'memory_max_pages',
  'timeout_ms',
  'wasi',
];

export function isPermissionName(s: string): s is PermissionName {
  return (PERMISSION_NAMES as readonly string[]).includes(s);
}

/**
 * Whether a permission is declared. Empty lists/maps and `wasi: false` grant nothing, so need no justification;
 * `memory_max_pages` and `timeout_ms` count whenever present, since they ask the host for resources.
 */
export function isPermissionDeclared(p: Permissions, name: PermissionName): boolean {
  const v = p[name];
  if (v === undefined || v === false) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length > 0;
  return true;
}

/**
 * One E_SCHEMA problem per declared permission that has no justification, and one for a `__proto__` host path: a
 * runner that copies allowed_paths into a plain object by assignment would set a prototype instead of mapping a path.
 */
export function checkPermissions(p: Permissions, basePath = '/permissions'): Problem[] {
  const problems: Problem[] = [];
  if (p.allowed_paths !== undefined && Object.hasOwn(p.allowed_paths, '__proto__')) {
    problems.push({
      path: `${basePath}/allowed_paths/__proto__`,
      code: 'E_SCHEMA',
      message: `${basePath}/allowed_paths: "__proto__" is not a host path`,
    });
  }
  for (const name of PERMISSION_NAMES) {
    if (!isPermissionDeclared(p, name)) continue;
    const j = p.justifications?.[name];
    if (typeof j !== 'string' || j.trim() === '') {
      problems.push({
        path: `${basePath}/justifications/${name}`,
        code: 'E_SCHEMA',
        message: `permission "${name}" is declared but has no justification; add permissions.justifications.${name}`,
      });
    }
  }
  return problems;
}
