import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { WharfError } from '@wharf/schemas';

interface RequestFailure {
  status?: number;
  message?: string;
  request?: { method?: string; url?: string };
  response?: { headers?: Record<string, string | number | undefined> };
}

/** GitHub's rate-limit answers: 403 or 429 with retry-after, or x-ratelimit-remaining 0, or that message. */
function isRateLimit(e: RequestFailure): boolean {
  if (e.status !== 403 && e.status !== 429) return false;
  const h = e.response?.headers ?? {};
  return (
    h['retry-after'] !== undefined || String(h['x-ratelimit-remaining']) === '0' || /rate limit/i.test(e.message ?? '')
  );
}

/**
 * Registered after throttling and retry, so it sees the error only once they gave up: a rate limit the bot would not
 * (or could no longer) wait out becomes E_RATE_LIMITED with the wait GitHub asked for, not an anonymous HTTP error.
 */
function rateLimitErrors(octokit: Pick<Octokit, 'hook'>) {
  octokit.hook.error('request', (error) => {
    const e = error as RequestFailure;
    if (!isRateLimit(e)) throw error;
    const h = e.response?.headers ?? {};
    const reset = Number(h['x-ratelimit-reset']);
    const wait =
      h['retry-after'] !== undefined
        ? Number(h['retry-after'])
        : Number.isFinite(reset) && reset > 0
          ? Math.max(0, Math.ceil(reset - Date.now() / 1000))
          : undefined;
    throw new WharfError(
      'E_RATE_LIMITED',
      `GitHub refused ${e.request?.method ?? 'a request'} ${e.request?.url ?? ''} with a rate limit (HTTP ${e.status}${wait !== undefined ? `, retry after ${wait} s` : ''}), longer than the bot waits or after its last retry; run it again later.`,
      { status: e.status, ...(wait !== undefined ? { retry_after_s: wait } : {}) },
    );
  });
  return {};
}

const WharfOctokit = Octokit.plugin(throttling, retry, rateLimitErrors);
/** The plugins add behaviour, not methods, so callers see a plain Octokit. */
export type GitHub = Octokit;

const MAX_WAIT_DEFAULT = 60;

export interface GitHubOptions {
  token?: string;
  /** REST base URL: https://api.github.com, a GHES URL, or a local stand-in in tests. */
  baseUrl?: string;
  /** Retries after a rate limit or a 5xx (default 2). */
  retries?: number;
  /**
   * The longest single rate-limit wait, in seconds (default 60, GitHub's own fallback for secondary limits). A
   * retry-after or x-ratelimit-reset further away fails at once with E_RATE_LIMITED instead of holding the job.
   */
  maxWaitSeconds?: number;
  /** Told before each rate-limit wait (the CLI prints it, so a pause in the log has a reason). */
  onWait?: (seconds: number, request: { method: string; url: string }) => void;
  /**
   * Space writes as GitHub asks (plugin-throttling: 1 s between writes, 2–3 s for search/notifications) and wait out
   * rate limits. Default true; tests against the local stand-in turn it off, since the spacing only protects
   * api.github.com.
   */
  throttle?: boolean;
}

/**
 * Octokit with throttling (waits out primary and secondary rate limits as retry-after / x-ratelimit-reset say, at
 * most `retries` times and at most `maxWaitSeconds` each) and retry on 5xx.
 */
export function createGitHub(opts: GitHubOptions = {}): GitHub {
  const retries = opts.retries ?? 2;
  const maxWait = opts.maxWaitSeconds ?? MAX_WAIT_DEFAULT;
  const onLimit = (after: number, options: { method?: string; url?: string }, _o: unknown, retryCount: number) => {
    if (retryCount >= retries || after > maxWait) return false;
    opts.onWait?.(after, { method: options.method ?? 'GET', url: options.url ?? '' });
    return true;
  };
  return new WharfOctokit({
    ...(opts.token ? { auth: opts.token } : {}),
    baseUrl: opts.baseUrl ?? 'https://api.github.com',
    userAgent: 'wharf-admin',
    throttle: { enabled: opts.throttle ?? true, onRateLimit: onLimit, onSecondaryRateLimit: onLimit },
    // Rate limits (403, 429) are throttling's alone: it honours retry-after, while retry's fixed 1 s, 4 s backoff
    // would hammer a limited endpoint early.
    retry: { retries, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}
