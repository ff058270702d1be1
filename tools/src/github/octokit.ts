import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';

const WharfOctokit = Octokit.plugin(throttling, retry);
/** The plugins add behaviour, not methods, so callers see a plain Octokit. */
export type GitHub = Octokit;

export interface GitHubOptions {
  token?: string;
  /** REST base URL: https://api.github.com, a GHES URL, or a local stand-in in tests. */
  baseUrl?: string;
  /** Retries after a rate limit or a 5xx (default 2). */
  retries?: number;
  /**
   * Space writes as GitHub asks (plugin-throttling: 1 s between writes, 2–3 s for search/notifications). Default true;
   * tests against the local stand-in turn it off, since the spacing only protects api.github.com.
   */
  throttle?: boolean;
}

/** Octokit with throttling (waits out primary/secondary rate limits, at most `retries` times) and retry on 5xx. */
export function createGitHub(opts: GitHubOptions = {}): GitHub {
  const retries = opts.retries ?? 2;
  return new WharfOctokit({
    ...(opts.token ? { auth: opts.token } : {}),
    baseUrl: opts.baseUrl ?? 'https://api.github.com',
    userAgent: 'wharf-admin',
    throttle: {
      enabled: opts.throttle ?? true,
      onRateLimit: (_after: number, _options: unknown, _o: unknown, retryCount: number) => retryCount < retries,
      onSecondaryRateLimit: (_after: number, _options: unknown, _o: unknown, retryCount: number) =>
        retryCount < retries,
    },
    retry: { retries },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}
