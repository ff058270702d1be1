// Coercions shared by the legacy readers: they turn loosely typed WXAUTO-MGT / Extism-demo values into ones the
// native schemas accept, or return undefined so the caller can fall back and record a note.

import { WharfError } from '../errors.js';
import { MAX_JSON_DEPTH } from '../json-limits.js';
import { isSemver, isValidId, urlProblem } from '../rules.js';
import type { Author, RepoRef } from '../types.js';
import { jsonPointer } from '../validate.js';

export function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

export function str(x: unknown): string | undefined {
  return typeof x === 'string' && x.trim() !== '' ? x.trim() : undefined;
}

/**
 * NFC for every string and key: one encoding per character, without folding what the author wrote (full-width
 * punctuation such as "，" and "（" stays). Look-alikes are caught by the confusables check, which folds NFKC.
 * Keys are defined, not assigned: `out["__proto__"] = v` would set the prototype and drop the key, so validation
 * would never see it. Two keys that NFC makes equal are refused like duplicate keys, and depth is bounded as in
 * parseJson.
 */
export function deepNormalize(x: unknown, depth = 0, path = ''): unknown {
  if (typeof x === 'string') return x.normalize('NFC');
  if (x === null || typeof x !== 'object') return x;
  if (depth >= MAX_JSON_DEPTH) {
    throw new WharfError('E_SCHEMA', `The document nests deeper than ${MAX_JSON_DEPTH} levels (at ${path}).`, {
      problems: [{ path, code: 'E_SCHEMA', message: `${path}: nests deeper than ${MAX_JSON_DEPTH} levels` }],
    });
  }
  if (Array.isArray(x)) return x.map((v, i) => deepNormalize(v, depth + 1, `${path}/${i}`));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    const key = k.normalize('NFC');
    const at = `${path}${jsonPointer(key)}`;
    if (Object.hasOwn(out, key)) {
      const message = `${at}: the key ${JSON.stringify(k)} is ${JSON.stringify(key)} once normalised, which is already a key`;
      throw new WharfError('E_SCHEMA', `The document has a duplicate key: ${message}.`, {
        problems: [{ path: at, code: 'E_SCHEMA', message }],
      });
    }
    Object.defineProperty(out, key, {
      value: deepNormalize(v, depth + 1, at),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** advanced_dify_platform → advanced-dify-platform; undefined when nothing valid remains. */
export function toWharfId(raw: string): string | undefined {
  // NFKC here only: full-width letters in an id fold to ASCII before the id rule applies.
  const id = raw
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[_.\s]+/g, '-')
    .replace(/[^a-z0-9-]/g, '')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return isValidId(id) ? id : undefined;
}

/** "1.0" → "1.0.0", "v2.1.0" → "2.1.0". */
export function toSemver(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const v = raw.trim().replace(/^v/i, '');
  if (isSemver(v)) return v;
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(v);
  if (!m) return undefined;
  const fixed = [m[1], m[2] ?? '0', m[3] ?? '0'].map((n) => String(Number(n))).join('.');
  return isSemver(fixed) ? fixed : undefined;
}

export function httpsUrl(raw: unknown): string | undefined {
  return typeof raw === 'string' && urlProblem(raw) === undefined ? raw : undefined;
}

const GITHUB_USER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** "Name <mail@x>" strings and {name, github, email, website} objects. */
export function toAuthor(raw: unknown): Author {
  if (typeof raw === 'string') {
    const m = /^(.*?)\s*<([^>]+)>\s*$/.exec(raw.trim());
    const name = truncate((m?.[1] ?? raw).trim(), 100) || 'Unknown';
    const email = m?.[2]?.trim();
    return email && EMAIL.test(email) ? { name, email } : { name };
  }
  if (isRecord(raw)) {
    const author: Author = { name: truncate(str(raw.name) ?? str(raw.github) ?? 'Unknown', 100) };
    const gh = str(raw.github);
    if (gh && GITHUB_USER.test(gh)) author.github = gh;
    const email = str(raw.email);
    if (email && EMAIL.test(email) && email.length <= 254) author.email = email;
    return author;
  }
  return { name: 'Unknown' };
}

export function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

export function toTags(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  const out: string[] = [];
  for (const t of raw) {
    const tag = str(t);
    if (tag && tag.length <= 50 && !out.includes(tag) && out.length < 20) out.push(tag);
  }
  return out;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

export function toDateTime(raw: unknown): string | undefined {
  return typeof raw === 'string' && DATE_TIME.test(raw) && !Number.isNaN(Date.parse(raw)) ? raw : undefined;
}

/** Contains CJK ideographs, kana or hangul: such text goes to the *_zh field as well. */
export function isCjk(s: string): boolean {
  return /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(s);
}

export function nonNegativeInt(raw: unknown): number {
  return typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 ? Math.floor(raw) : 0;
}

// Forges whose release-list REST endpoint is known: `<api>/releases` lists releases as JSON (GitHub's REST
// API, Gitee's v5 and Gitea/Forgejo's v1, which WXAUTO-MGT's client and Wharf's legacy lookup both read).
const FORGE_APIS: Readonly<Record<string, (owner: string, repo: string) => string>> = {
  'github.com': (o, r) => `https://api.github.com/repos/${o}/${r}`,
  'gitee.com': (o, r) => `https://gitee.com/api/v5/repos/${o}/${r}`,
  'codeberg.org': (o, r) => `https://codeberg.org/api/v1/repos/${o}/${r}`,
  'gitea.com': (o, r) => `https://gitea.com/api/v1/repos/${o}/${r}`,
};
const FORGE_REPO = /^https:\/\/([a-z0-9.-]+)\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/;
const FORGE_RELEASES_PAGE = /^https:\/\/([a-z0-9.-]+)\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/releases\/?$/;

/**
 * A repository URL with its API and REST releases URLs, for the forges above; undefined for any other URL
 * (another host, or not a plain owner/repo URL).
 */
export function forgeRepoRef(url: string): Required<RepoRef> | undefined {
  const m = FORGE_REPO.exec(url);
  const api = m ? FORGE_APIS[m[1] as string] : undefined;
  if (!m || !api || m[2] === '.' || m[2] === '..' || m[3] === '.' || m[3] === '..') return undefined;
  const apiUrl = api(m[2] as string, m[3] as string);
  return { url: `https://${m[1]}/${m[2]}/${m[3]}`, api_url: apiUrl, releases_url: `${apiUrl}/releases` };
}

/** `https://github.com/o/r/releases` (the HTML page) → the REST list; any other URL unchanged. */
export function releasesApiUrl(url: string): string {
  const m = FORGE_RELEASES_PAGE.exec(url);
  return (m && forgeRepoRef(`https://${m[1]}/${m[2]}/${m[3]}`)?.releases_url) || url;
}
