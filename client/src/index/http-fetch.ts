import { WharfError } from '@wharf/schemas';

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

export interface FetchLimits {
  /** Deadline for the response headers (connect + first byte). */
  headersTimeoutMs: number;
  /** The body must keep arriving: a stall longer than this aborts it. Reset on every chunk. */
  stallTimeoutMs: number;
  /** Minimum average throughput once the first byte arrived, checked after `stallTimeoutMs`. */
  minBytesPerSec: number;
  /** Total deadline for the whole transfer. */
  totalTimeoutMs: number;
}

export const DEFAULT_LIMITS: FetchLimits = {
  headersTimeoutMs: 5_000,
  stallTimeoutMs: 3_000,
  minBytesPerSec: 4_096,
  totalTimeoutMs: 30_000,
};

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

/**
 * GET a URL as a stream of chunks with a header deadline, a stall timer and a throughput floor.
 * undici alone would wait 10 s to connect and 300 s for headers (DESIGN §9).
 */
export async function* fetchChunks(
  url: string,
  limits: FetchLimits,
  init: {
    headers?: Record<string, string>;
    signal?: AbortSignal;
    maxBytes?: number;
    onResponse?: (r: Response) => void;
  } = {},
): AsyncGenerator<Uint8Array> {
  const ctrl = new AbortController();
  const onOuterAbort = () => ctrl.abort(init.signal?.reason);
  init.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let why: MirrorReason | undefined;
  const arm = (ms: number, reason: MirrorReason) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      why = reason;
      ctrl.abort();
    }, ms);
  };
  const total = setTimeout(() => {
    why = 'timeout';
    ctrl.abort();
  }, limits.totalTimeoutMs);
  try {
    arm(limits.headersTimeoutMs, 'timeout');
    let res: Response;
    try {
      res = await fetch(url, { headers: init.headers, signal: ctrl.signal, redirect: 'follow' });
    } catch (e) {
      throw classifyNetworkError(e, why, 'connect');
    }
    init.onResponse?.(res);
    if (res.status === 304) return;
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => {});
      throw new FetchFailure(res.status >= 500 ? 'http 5xx' : 'http 4xx', `HTTP ${res.status} from ${url}`, res.status);
    }
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (init.maxBytes !== undefined && declared > init.maxBytes) {
      await res.body.cancel().catch(() => {});
      throw new FetchFailure('too large', `${url} is ${declared} bytes, over the ${init.maxBytes}-byte cap`);
    }
    arm(limits.stallTimeoutMs, 'timeout');
    let received = 0;
    const bodyStart = Date.now();
    const reader = res.body.getReader();
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (e) {
          throw classifyNetworkError(e, why, 'body');
        }
        if (chunk.done) break;
        received += chunk.value.byteLength;
        if (init.maxBytes !== undefined && received > init.maxBytes) {
          throw new FetchFailure('too large', `${url} sent more than the ${init.maxBytes}-byte cap`);
        }
        const elapsed = Date.now() - bodyStart;
        if (elapsed > limits.stallTimeoutMs && (received * 1000) / elapsed < limits.minBytesPerSec) {
          throw new FetchFailure('timeout', `${url} is too slow (${Math.round((received * 1000) / elapsed)} B/s)`);
        }
        arm(limits.stallTimeoutMs, 'timeout');
        yield chunk.value;
      }
    } finally {
      reader.releaseLock();
      if (ctrl.signal.aborted === false) ctrl.abort();
    }
  } finally {
    clearTimeout(timer);
    clearTimeout(total);
    init.signal?.removeEventListener('abort', onOuterAbort);
  }
}

function classifyNetworkError(e: unknown, why: MirrorReason | undefined, phase: 'connect' | 'body'): FetchFailure {
  if (e instanceof FetchFailure) return e;
  if (why) return new FetchFailure(why, 'no answer before the deadline');
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
    return new FetchFailure('refused', `connection failed (${code})`);
  }
  // A kept-alive connection the server dropped before answering: the mirror went away, same as refusing.
  if (phase === 'connect' && (code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED')) {
    return new FetchFailure('refused', `connection closed before any answer (${code})`);
  }
  if ((e as Error).name === 'AbortError') return new FetchFailure('timeout', 'aborted');
  return new FetchFailure('error', cause?.message ?? (e as Error).message);
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
