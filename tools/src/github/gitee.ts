import { DEFAULT_LIMITS, FetchFailure, fetchChunks } from '@wharf/client';
import { WharfError } from '@wharf/schemas';
import { downloadCapped, sha256Hex } from './fetch-release.js';

export const GITEE_API = 'https://gitee.com/api/v5';

interface GiteeRelease {
  tag_name: string;
  assets: { name: string; browser_download_url: string }[];
}

/**
 * Gitee v5: GET /repos/{owner}/{repo}/releases/tags/{tag}. Returns the mirror's download URL for `assetName` when
 * that asset's bytes hash to `sha256`, so a mirror URL only enters the registry once it serves the reviewed bytes.
 */
export async function giteeMirrorUrl(
  slug: string,
  tag: string,
  assetName: string,
  sha256: string,
  opts: { apiBase?: string; cap: number },
): Promise<string> {
  const base = (opts.apiBase ?? GITEE_API).replace(/\/$/, '');
  const [owner, repo] = slug.split('/') as [string, string];
  const url = `${base}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/releases/tags/${encodeURIComponent(tag)}`;
  let rel: GiteeRelease;
  try {
    rel = JSON.parse(Buffer.from(await downloadCapped(url, 1024 * 1024)).toString('utf8')) as GiteeRelease;
  } catch (e) {
    throw new WharfError('E_NOT_FOUND', `Gitee has no release ${tag} for ${slug}: ${(e as Error).message}`);
  }
  const asset = rel.assets?.find((a) => a.name === assetName);
  if (!asset) throw new WharfError('E_NOT_FOUND', `The Gitee release ${tag} of ${slug} has no asset ${assetName}.`);
  const bytes = await downloadCapped(asset.browser_download_url, opts.cap);
  if (sha256Hex(bytes) !== sha256)
    throw new WharfError('E_DIGEST_CHANGED', `The Gitee mirror's ${assetName} differs from the GitHub release.`);
  return asset.browser_download_url;
}

/** How `giteeGetJson` talks to Gitee v5: where, with which token, and how long it waits out a rate limit. */
export interface GiteeApiOptions {
  /** v5 base URL (default https://gitee.com/api/v5); a local stand-in in tests. */
  apiBase?: string;
  /** A Gitee personal access token, sent as a Bearer header (never in the URL, which reaches messages). */
  token?: string;
  /** Waits after a rate limit before giving up with E_RATE_LIMITED (default 2). */
  retries?: number;
  /** The longest single wait in seconds (default 60); a retry-after further away fails at once. */
  maxWaitSeconds?: number;
  onWait?: (seconds: number, url: string) => void;
  /** Response size cap in bytes (default 1 MiB). */
  cap?: number;
}

/** Seconds a 403/429 asks to wait (retry-after, else x-ratelimit-reset), or undefined when it is no rate limit. */
function giteeRateLimitWait(status: number, headers: { get(name: string): string | null }): number | undefined {
  if (status !== 403 && status !== 429) return undefined;
  const after = headers.get('retry-after');
  if (after !== null && Number.isFinite(Number(after))) return Math.max(0, Math.ceil(Number(after)));
  const remaining = headers.get('x-ratelimit-remaining');
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (remaining === '0' && Number.isFinite(reset) && reset > 0)
    return Math.max(0, Math.ceil(reset - Date.now() / 1000));
  return status === 429 ? Number.POSITIVE_INFINITY : undefined; // a 429 with no hint: not waited for
}

/**
 * GET `<apiBase><path>` from Gitee v5 as JSON; undefined for a 404. Gitee's rate limits (403/429 with retry-after
 * or x-ratelimit-*) are waited out like GitHub's in octokit.ts, at most `retries` times and `maxWaitSeconds` each,
 * then E_RATE_LIMITED. Octokit is GitHub's client, so Gitee goes through the same capped fetch as release assets.
 */
export async function giteeGetJson(path: string, opts: GiteeApiOptions = {}): Promise<unknown | undefined> {
  const url = `${(opts.apiBase ?? GITEE_API).replace(/\/$/, '')}${path}`;
  const retries = opts.retries ?? 2;
  const maxWait = opts.maxWaitSeconds ?? 60;
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
  };
  for (let attempt = 0; ; attempt++) {
    let info: { headers: { get(name: string): string | null } } | undefined;
    const chunks: Uint8Array[] = [];
    try {
      for await (const c of fetchChunks(url, DEFAULT_LIMITS, {
        maxBytes: opts.cap ?? 1024 * 1024,
        headers,
        onResponse: (r) => {
          info = r;
        },
      }))
        chunks.push(c);
    } catch (e) {
      const status = e instanceof FetchFailure ? e.status : undefined;
      if (status === 404) return undefined;
      const wait = status !== undefined && info ? giteeRateLimitWait(status, info.headers) : undefined;
      if (wait === undefined) {
        if (e instanceof FetchFailure && e.reason === 'too large')
          throw new WharfError('E_TOO_LARGE', `Gitee's answer to ${path} is over the size cap.`);
        throw new WharfError('E_SOURCE_UNREACHABLE', `Gitee did not answer ${path}: ${(e as Error).message}`);
      }
      if (attempt >= retries || wait > maxWait)
        throw new WharfError(
          'E_RATE_LIMITED',
          `Gitee refused GET ${path} with a rate limit (HTTP ${status}${Number.isFinite(wait) ? `, retry after ${wait} s` : ''}), longer than the bot waits or after its last retry; run it again later.`,
          { status, ...(Number.isFinite(wait) ? { retry_after_s: wait } : {}) },
        );
      opts.onWait?.(wait, path);
      await new Promise((ok) => setTimeout(ok, wait * 1000));
      continue;
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      throw new WharfError('E_SCHEMA', `Gitee's answer to ${path} is not JSON.`);
    }
  }
}
