import { WharfError } from '@wharf/schemas';

// Extism rc13 checks a plugin's http_request URL against allowedHosts once and then calls `fetch` with its default
// `redirect: "follow"`, so an allowed host could bounce the request anywhere. This fetch, handed to Extism through
// its `fetch` option, follows redirects itself (`redirect: "manual"`) and re-checks every hop before connecting.

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Credentials a browser drops when a redirect leaves the origin (Fetch standard, "HTTP-redirect fetch"). */
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

export interface GuardOptions {
  id: string;
  allowedHosts: string[];
  maxRedirects: number;
  timeoutMs: number;
  /** Aborts every request when the plugin instance ends. */
  signal?: AbortSignal;
  /** The fetch doing the network work; the global one unless a test or host app supplies another. */
  fetch?: typeof fetch;
}

/** Extism's host matching: the exact hostname, or `*.example.com` for any subdomain, or `*` for any host. */
export function hostAllowed(hostname: string, allowedHosts: string[]): boolean {
  const host = hostname.toLowerCase();
  return allowedHosts.some((pattern) => {
    const p = pattern.toLowerCase();
    if (p === '*' || p === host) return true;
    return p.startsWith('*.') && host.endsWith(p.slice(1));
  });
}

export function guardedFetch(opts: GuardOptions): typeof fetch {
  const net = opts.fetch ?? fetch;
  return (async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let url = new URL(input instanceof Request ? input.url : String(input));
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body ?? null;
    const headers = new Headers(init.headers);
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    for (let hop = 0; ; hop++) {
      if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !hostAllowed(url.hostname, opts.allowedHosts)) {
        throw hop === 0
          ? new WharfError('E_HTTP_HOST_DENIED', `${opts.id} may not reach ${url.href}: not in its allowed_hosts.`)
          : new WharfError(
              'E_HTTP_REDIRECT_BLOCKED',
              `${opts.id} was redirected to ${url.href}, which is not in its allowed_hosts; the request stopped there.`,
            );
      }
      const res = await net(url, { method, headers, body, redirect: 'manual', signal });
      const location = res.headers.get('location');
      if (!REDIRECTS.has(res.status) || location === null) return res;
      await res.body?.cancel();
      if (hop >= opts.maxRedirects) {
        throw new WharfError(
          'E_HTTP_REDIRECT_BLOCKED',
          `${opts.id}'s request to ${url.href} was redirected more than ${opts.maxRedirects} times.`,
        );
      }
      const next = new URL(location, url);
      if (next.origin !== url.origin) for (const h of ORIGIN_BOUND_HEADERS) headers.delete(h);
      // As the Fetch standard: 303 turns anything but HEAD into GET, 301/302 turn POST into GET.
      if (
        (res.status === 303 && method !== 'HEAD') ||
        ((res.status === 301 || res.status === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = null;
        for (const h of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'])
          headers.delete(h);
      }
      url = next;
    }
  }) as typeof fetch;
}
