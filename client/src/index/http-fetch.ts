import { lookup as dnsLookup } from 'node:dns';
import {
  type ClientRequest,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type RequestOptions,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { WharfError } from '@wharf/schemas';
import type { FetchLimits } from './fetch-limits.js';
import { processAbort } from './process-abort.js';
import { type AddressClass, addressClass, MAX_REDIRECTS, redirectProblem, shownOrigin } from './redirect-policy.js';

/** Why one mirror failed, in the words E_ALL_MIRRORS_FAILED reports (DESIGN §4). */
export type MirrorReason =
  | 'refused'
  | 'timeout'
  | 'http 4xx'
  | 'http 5xx'
  | 'not JSON'
  | 'too large'
  | 'hash'
  | 'rollback'
  | 'expired'
  | 'signature'
  | 'error';

export { DEFAULT_LIMITS, type FetchLimits } from './fetch-limits.js';

export class FetchFailure extends Error {
  constructor(
    readonly reason: MirrorReason,
    message: string,
    readonly status?: number,
  ) {
    // The reason is tagged into the text because tuf-js re-wraps some errors and keeps only the message.
    super(`[${reason}] ${message}`);
  }
}

/** What a caller learns of the final (non-redirect) reply: never its body. */
export interface ResponseInfo {
  status: number;
  /** The URL that answered, after redirects. */
  url: string;
  redirected: boolean;
  headers: { get(name: string): string | null };
}

/**
 * The network seam. Production passes nothing; tests inject DNS (names that resolve to 127.0.0.1) and may say
 * how an address counts for the redirect rules, since every test server is on loopback.
 */
export interface NetSeam {
  lookup?: LookupFunction;
  addressClass?: (address: string, host: string) => AddressClass;
}

export interface FetchInit {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  maxBytes?: number;
  onResponse?: (r: ResponseInfo) => void;
  net?: NetSeam;
}

/** A 2xx body, paused, with the watchdog armed. Feed every chunk to `chunk`, and call `close` when done. */
export interface OpenBody {
  res: IncomingMessage;
  info: ResponseInfo;
  /** Counts a chunk against the cap and the throughput floor and resets the stall timer; throws a FetchFailure. */
  chunk(bytes: number): void;
  /** The error to report for whatever the body stream threw (the watchdog's own reason first). */
  failure(e: unknown): FetchFailure | WharfError;
  close(): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Credentials a browser drops when a redirect leaves the origin (Fetch standard, "HTTP-redirect fetch"). */
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const SOCKET_BUFFER = 1 << 20;
// GitHub's API refuses requests without a User-Agent; node:http sends none.
const BASE_HEADERS = { 'user-agent': 'wharf', accept: '*/*' };

/** A short error body is drained, not read: see discardReply. */
const SHORT_REPLY_BYTES = 16 * 1024;

/** How long a drained error reply may take to end before the caller goes on without its socket. */
const DRAIN_WAIT_MS = 50;

/**
 * An error reply's body is never read. A short one (≤ 16 KiB, declared or, for a chunked reply, counted as it
 * comes) is drained instead of destroyed: destroying the socket costs ~1 ms (a no-change refresh gets its expected
 * 404 for the next root; Node's Socket._destroy also compares itself with process.stderr, which creates that stream),
 * and a drained socket serves the next request. The draining socket is unref'd, so a mirror that never finishes the
 * body can't keep the process alive, and it is destroyed after the stall deadline. A body declared or found longer
 * is destroyed. Resolves once the socket is back in the agent's pool (or gone), or after DRAIN_WAIT_MS: the request
 * that follows the 404 at once (the timestamp) then reuses the connection instead of opening one more, which over
 * HTTPS is another TCP and TLS handshake. The wait is a ref'd timer: a process waiting here is not left to exit.
 */
function discardReply(res: IncomingMessage, limits: FetchLimits): Promise<void> {
  const header = res.headers['content-length'];
  const socket = res.socket;
  if (!socket || (header !== undefined && !(Number(header) <= SHORT_REPLY_BYTES))) {
    res.destroy();
    return Promise.resolve();
  }
  socket.unref(); // the agent refs it again when it hands it to another request
  const stalled = setTimeout(() => res.destroy(), limits.stallTimeoutMs);
  stalled.unref();
  res.once('close', () => clearTimeout(stalled));
  if (header === undefined) {
    let seen = 0;
    res.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen > SHORT_REPLY_BYTES) res.destroy();
    });
  }
  const settled = new Promise<void>((done) => {
    const end = () => {
      clearTimeout(wait);
      socket.off('free', end);
      socket.off('close', end);
      done();
    };
    const wait = setTimeout(end, DRAIN_WAIT_MS);
    // The agent's own 'free' listener came first: by this one, the socket is in its pool.
    socket.once('free', end);
    socket.once('close', end);
  });
  res.resume();
  return settled;
}

/**
 * GET a URL with node:http(s): a header deadline per hop, a stall timer reset on every chunk, a throughput floor,
 * a total deadline and a size cap. Redirects are followed by hand, at most MAX_REDIRECTS, each hop checked by
 * redirectProblem before connecting and again on every address DNS returns for it. undici's fetch would wait
 * 10 s to connect and 300 s for headers, follow redirects anywhere, and its web streams cost ~2× curl (DESIGN §9).
 * Resolves undefined for a 304.
 */
export async function openResponse(
  url: string,
  limits: FetchLimits,
  init: FetchInit = {},
): Promise<OpenBody | undefined> {
  const w = new Watchdog(limits, init.signal);
  try {
    const classify = init.net?.addressClass ?? ((a: string) => addressClass(a));
    const headers: OutgoingHttpHeaders = { ...BASE_HEADERS };
    for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
    let current = new URL(url);
    let from: { url: URL; address?: string } | undefined;
    for (let hop = 0; ; hop++) {
      const res = await w.request(current, headers, init.net?.lookup, from && { from, classify });
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location !== undefined) {
        const address = res.socket?.remoteAddress;
        res.destroy(); // a redirect's body is never read, so none of it can reach a message
        if (hop >= MAX_REDIRECTS) throw blocked(current, `it was redirected more than ${MAX_REDIRECTS} times`);
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          throw blocked(current, 'the reply named a Location that is not a valid URL');
        }
        const hopFrom = { url: current, address };
        const why = redirectProblem(hopFrom, { url: next }, classify);
        if (why) throw blocked(current, why);
        if (next.origin !== current.origin) for (const h of ORIGIN_BOUND_HEADERS) delete headers[h];
        from = hopFrom;
        current = next;
        continue;
      }
      const info: ResponseInfo = {
        status,
        url: current.href,
        redirected: hop > 0,
        headers: { get: (n) => headerValue(res, n) },
      };
      init.onResponse?.(info);
      if (status === 304) {
        res.resume();
        w.close();
        return undefined;
      }
      if (status < 200 || status > 299) {
        await discardReply(res, limits);
        throw new FetchFailure(status >= 500 ? 'http 5xx' : 'http 4xx', `HTTP ${status} from ${url}`, status);
      }
      const declared = Number(res.headers['content-length'] ?? Number.NaN);
      if (init.maxBytes !== undefined && declared > init.maxBytes) {
        res.destroy();
        throw new FetchFailure('too large', `${url} is ${declared} bytes, over the ${init.maxBytes}-byte cap`);
      }
      w.body(res, url, init.maxBytes);
      return {
        res,
        info,
        chunk: (n) => w.chunk(n),
        failure: (e) => w.classify(e, 'body'),
        close: () => {
          w.close();
          res.destroy(); // after a complete body this keeps the kept-alive socket; otherwise it drops it
        },
      };
    }
  } catch (e) {
    w.close();
    throw w.classify(e, 'connect');
  }
}

/** openResponse as a stream of chunks. */
export async function* fetchChunks(url: string, limits: FetchLimits, init: FetchInit = {}): AsyncGenerator<Uint8Array> {
  const body = await openResponse(url, limits, init);
  if (!body) return;
  try {
    for await (const chunk of body.res as AsyncIterable<Buffer>) {
      body.chunk(chunk.byteLength);
      yield chunk;
    }
  } catch (e) {
    throw body.failure(e);
  } finally {
    body.close();
  }
}

export async function fetchBytes(
  url: string,
  limits: FetchLimits,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of fetchChunks(url, limits, { maxBytes, signal })) parts.push(c);
  return Buffer.concat(parts);
}

export function timeoutError(what: string): WharfError {
  return new WharfError('E_TIMEOUT', `${what} did not answer in time.`);
}

function blocked(at: URL, why: string): WharfError {
  return new WharfError(
    'E_HTTP_REDIRECT_BLOCKED',
    `The download from ${shownOrigin(at)} was redirected and Wharf did not follow: ${why}.`,
    { from: shownOrigin(at) },
  );
}

function headerValue(res: IncomingMessage, name: string): string | null {
  const v = res.headers[name.toLowerCase()];
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
}

/**
 * A DNS lookup that refuses, before any socket connects, an address the redirect rules forbid for this hop.
 * Node calls it with `all: true` for happy eyeballs (autoSelectFamily), so both callback shapes are handled.
 */
function guardedLookup(base: LookupFunction, check: (address: string) => string | undefined): LookupFunction {
  return ((hostname: string, options: object, callback: (...a: unknown[]) => void) => {
    base(hostname, options, ((err: NodeJS.ErrnoException | null, address: unknown, family?: number) => {
      if (err) return callback(err, address, family);
      const list = Array.isArray(address) ? (address as Array<{ address: string }>) : [{ address: String(address) }];
      for (const a of list) {
        const why = check(a.address);
        if (why) return callback(Object.assign(new Error(why), { redirectRefusal: why }), address, family);
      }
      callback(null, address, family);
    }) as never);
  }) as LookupFunction;
}

/** The deadlines of one transfer: they destroy whatever is in flight with a FetchFailure naming the reason. */
class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private readonly total: NodeJS.Timeout;
  private inFlight: { destroy(e: Error): unknown } | undefined;
  private failed: FetchFailure | undefined;
  private received = 0;
  private bodyStart = 0;
  private url = '';
  private maxBytes: number | undefined;
  private readonly onAbort = () => this.fail(new FetchFailure('timeout', 'aborted'));

  private readonly signals: AbortSignal[];

  constructor(
    private readonly limits: FetchLimits,
    signal: AbortSignal | undefined,
  ) {
    this.total = setTimeout(
      () => this.fail(new FetchFailure('timeout', 'no complete answer before the deadline')),
      limits.totalTimeoutMs,
    );
    // The caller's signal, and the process's (Ctrl-C in the CLI: index/process-abort.ts).
    this.signals = [signal, processAbort()].filter((s): s is AbortSignal => s !== undefined);
    for (const s of this.signals) {
      if (s.aborted) this.onAbort();
      else s.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  private fail(e: FetchFailure): void {
    this.failed ??= e;
    this.inFlight?.destroy(this.failed);
  }

  private arm(ms: number, message: string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fail(new FetchFailure('timeout', message)), ms);
  }

  request(
    u: URL,
    headers: OutgoingHttpHeaders,
    lookup: LookupFunction | undefined,
    redirect: { from: { url: URL; address?: string }; classify: (a: string, host: string) => AddressClass } | undefined,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      const send = u.protocol === 'https:' ? httpsRequest : u.protocol === 'http:' ? httpRequest : undefined;
      if (!send) return reject(new FetchFailure('error', `${u.protocol} URLs can't be fetched`));
      let dns = lookup;
      if (redirect) {
        const { from, classify } = redirect;
        dns = guardedLookup(lookup ?? (dnsLookup as LookupFunction), (address) =>
          redirectProblem(from, { url: u, address }, classify),
        );
      }
      // A redirect hop gets a socket of its own, so the address check can't be skipped by a pooled connection.
      const options: RequestOptions & { highWaterMark: number } = {
        headers,
        // A deeper socket buffer means fewer pause/resume round trips on a fast body (Node ≥ 20.1; not in @types).
        highWaterMark: SOCKET_BUFFER,
        ...(dns ? { lookup: dns } : {}),
        ...(redirect ? { agent: false } : {}),
      };
      const req: ClientRequest = send(u, options);
      this.inFlight = req;
      this.arm(this.limits.headersTimeoutMs, 'no answer before the deadline');
      req.once('response', resolve);
      req.once('error', (e) => {
        const why = (e as { redirectRefusal?: string }).redirectRefusal;
        reject(why && redirect ? blocked(redirect.from.url, why) : e);
      });
      req.end();
    });
  }

  body(res: IncomingMessage, url: string, maxBytes: number | undefined): void {
    this.inFlight = res;
    this.url = url;
    this.maxBytes = maxBytes;
    this.bodyStart = Date.now();
    this.arm(this.limits.stallTimeoutMs, 'the body stalled');
  }

  chunk(n: number): void {
    this.received += n;
    if (this.maxBytes !== undefined && this.received > this.maxBytes) {
      throw new FetchFailure('too large', `${this.url} sent more than the ${this.maxBytes}-byte cap`);
    }
    const elapsed = Date.now() - this.bodyStart;
    if (elapsed > this.limits.stallTimeoutMs && (this.received * 1000) / elapsed < this.limits.minBytesPerSec) {
      const rate = Math.round((this.received * 1000) / elapsed);
      throw new FetchFailure('timeout', `${this.url} is too slow (${rate} B/s)`);
    }
    this.timer?.refresh(); // the stall timer restarts on every chunk, without a new timer per chunk
  }

  close(): void {
    clearTimeout(this.timer);
    clearTimeout(this.total);
    for (const s of this.signals) s.removeEventListener('abort', this.onAbort);
  }

  classify(e: unknown, phase: 'connect' | 'body'): FetchFailure | WharfError {
    if (e instanceof FetchFailure || e instanceof WharfError) return e;
    if (this.failed) return this.failed;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (phase === 'connect' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)$/.test(code)) {
      return new FetchFailure('refused', `connection failed (${code})`);
    }
    if (phase === 'body' && code === 'ECONNRESET') {
      return new FetchFailure('error', 'the connection closed before the body was complete');
    }
    return new FetchFailure('error', (e as Error).message);
  }
}
