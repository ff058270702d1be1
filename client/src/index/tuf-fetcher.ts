import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fetcher } from 'tuf-js';
// The error module alone: tuf-js's index loads the whole Updater, which a no-change refresh never needs.
import { DownloadHTTPError } from 'tuf-js/dist/error.js';
import { TEMP_MARK } from '../fs/atomic-write.js';
import { DEFAULT_LIMITS, FetchFailure, type FetchLimits, fetchChunks, type MirrorReason } from './http-fetch.js';

/** How long the current mirror may stay silent before the next one is started (DESIGN §4, §9). */
export const DEFAULT_HEDGE_DELAY_MS = 200;
/** Below this rate a transfer counts as silent for hedging: loopback and CDNs run 1000× faster. */
const HEDGE_MIN_BYTES_PER_SEC = 64 * 1024;

export interface MirrorFailure {
  mirror: string;
  reason: MirrorReason;
  message: string;
}

/** ETag of a mirror's timestamp.json and the sha256 of the bytes it named, so a 304 can be answered locally. */
export type EtagRecord = Record<string, { etag: string; sha256: string }>;

export interface MirrorFetcherOptions {
  limits?: FetchLimits;
  hedgeDelayMs?: number;
  /** Known ETags per mirror; used only while they still name the trusted timestamp's bytes. */
  etags?: EtagRecord;
  /** The trusted timestamp.json bytes the Updater starts from (what a 304 stands for). */
  trustedTimestamp?: Buffer;
  /** Their sha256, when a record of their last check says it (index/trust-record.ts): then no hash of them here. */
  trustedTimestampSha256?: string;
  /** Where downloadFile may put its short-lived file (a dir of the source's own in the home). */
  tmpDir: string;
}

/**
 * One tuf-js fetcher over all mirrors of a source. tuf-js asks for `<mirrors[0]>/<path>`; every request is
 * re-aimed at the mirrors in order, and when the current one is silent past the hedge delay the next one
 * starts in parallel. The first complete answer wins and the others are aborted. A refused connection,
 * a 5xx, a non-JSON metadata file or an oversized body moves on at once. tuf-js then verifies whatever
 * came back, so a mirror never needs trust; the fetcher remembers who served what so that a verification
 * failure can be pinned on its mirror (DESIGN §4).
 */
export class MirrorFetcher implements Fetcher {
  /** Mirrors, best first: a mirror that wins a race moves to the front for the next file. */
  private order: string[];
  /** Answers fetched ahead of the Updater's request for them (see fetchAhead). */
  private readonly ahead = new Map<string, Promise<Buffer>>();
  /** Mirrors that failed a request in this run, with why. */
  readonly failed = new Map<string, MirrorFailure>();
  /** relative path → mirror that served it. */
  readonly servedBy = new Map<string, string>();
  /** The mirror behind the most recent answer: the one to blame when tuf-js rejects it. */
  lastMirror?: string;
  /** New ETags seen this run; the caller saves them only after the refresh committed. */
  readonly newEtags: EtagRecord = {};
  /** Every request started, for `source test` and the benches. */
  requests = 0;
  private readonly limits: FetchLimits;
  private readonly hedgeDelayMs: number;

  constructor(
    private readonly mirrors: string[],
    private readonly opts: MirrorFetcherOptions,
  ) {
    this.order = [...mirrors];
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.hedgeDelayMs = opts.hedgeDelayMs ?? DEFAULT_HEDGE_DELAY_MS;
  }

  /** The base URL tuf-js is configured with; requests are relative to it. */
  get base(): string {
    return this.mirrors[0] as string;
  }

  async downloadBytes(url: string, maxLength: number): Promise<Buffer> {
    return this.answer(url, maxLength);
  }

  async downloadFile<T>(url: string, maxLength: number, handler: (file: string) => Promise<T>): Promise<T> {
    const buf = await this.answer(url, maxLength);
    const file = join(this.opts.tmpDir, `${TEMP_MARK}download.${process.pid}.${Date.now()}`);
    writeFileSync(file, buf);
    try {
      return await handler(file);
    } finally {
      rmSync(file, { force: true });
    }
  }

  /**
   * Fetch a file now and keep the answer (bytes or refusal) for the next request of the same URL, once: the
   * no-change check asks for the timestamp and the next root first, and when it must hand over to the Updater,
   * the Updater's own requests for them cost no second round trip.
   */
  fetchAhead(url: string, maxLength: number): Promise<Buffer> {
    const p = this.race(url, maxLength);
    p.catch(() => {}); // replayed to the next request, which handles it
    this.ahead.set(this.relative(url), p);
    return p;
  }

  private async answer(url: string, maxLength: number): Promise<Buffer> {
    const rel = this.relative(url);
    const kept = this.ahead.get(rel);
    if (!kept) return this.race(url, maxLength);
    this.ahead.delete(rel);
    const buf = await kept;
    if (buf.length > maxLength) throw new FetchFailure('too large', `${url} is over ${maxLength} bytes`);
    return buf;
  }

  private relative(url: string): string {
    if (!url.startsWith(`${this.base}/`)) throw new FetchFailure('error', `${url} is not under ${this.base}`);
    return url.slice(this.base.length + 1);
  }

  /** Fetch one file from the best live mirror, hedging onto the next ones while it stays silent. */
  private race(url: string, maxLength: number): Promise<Buffer> {
    const rel = this.relative(url);
    const candidates = this.order.filter((m) => !this.failed.has(m));
    // A missing next root is a 404 by design (tuf-js stops there): any mirror's 404 is an answer, not a fault.
    const notFoundIsAnswer = /(^|\/)\d+\.root\.json$/.test(rel);
    return new Promise<Buffer>((resolve, reject) => {
      if (candidates.length === 0) {
        reject(new FetchFailure('error', `no mirror left to fetch ${rel}`));
        return;
      }
      let next = 0;
      let running = 0;
      let settled = false;
      let hedgeTimer: NodeJS.Timeout | undefined;
      const ctrls: AbortController[] = [];
      const finish = () => {
        settled = true;
        clearTimeout(hedgeTimer);
        for (const c of ctrls) c.abort();
      };
      const armHedge = (progress: { bytes: number }) => {
        clearTimeout(hedgeTimer);
        let seen = progress.bytes;
        const tick = () => {
          if (settled) return;
          const moved = progress.bytes - seen;
          seen = progress.bytes;
          if (moved < (HEDGE_MIN_BYTES_PER_SEC * this.hedgeDelayMs) / 1000) launch();
          else hedgeTimer = setTimeout(tick, this.hedgeDelayMs);
        };
        hedgeTimer = setTimeout(tick, this.hedgeDelayMs);
      };
      const launch = (): void => {
        if (settled || next >= candidates.length) return;
        const mirror = candidates[next++] as string;
        const ctrl = new AbortController();
        ctrls.push(ctrl);
        const progress = { bytes: 0 };
        running++;
        armHedge(progress);
        this.attempt(mirror, rel, maxLength, ctrl.signal, progress).then(
          (buf) => {
            running--;
            if (settled) return;
            finish();
            this.servedBy.set(rel, mirror);
            this.promote(mirror);
            resolve(buf);
          },
          (e: unknown) => {
            running--;
            if (settled) return;
            const f = e instanceof FetchFailure ? e : new FetchFailure('error', (e as Error).message);
            if (notFoundIsAnswer && (f.status === 404 || f.status === 403)) {
              finish();
              this.promote(mirror);
              reject(new DownloadHTTPError(f.message, f.status));
              return;
            }
            this.failed.set(mirror, { mirror, reason: f.reason, message: f.message });
            if (next < candidates.length) launch();
            else if (running === 0) {
              finish();
              reject(new FetchFailure(f.reason, `every mirror failed to serve ${rel}; last: ${f.message}`));
            }
          },
        );
      };
      launch();
    });
  }

  /** The mirror that answered goes first for the next file, so a silent one is raced at most once. */
  private promote(mirror: string): void {
    this.lastMirror = mirror;
    this.order = [mirror, ...this.order.filter((m) => m !== mirror)];
  }

  private async attempt(
    mirror: string,
    rel: string,
    maxLength: number,
    signal: AbortSignal,
    progress: { bytes: number },
    conditional = true,
  ): Promise<Buffer> {
    this.requests++;
    const url = `${mirror}/${rel}`;
    const isTimestamp = rel === 'metadata/timestamp.json';
    const trusted = isTimestamp ? this.opts.trustedTimestamp : undefined;
    const known = conditional && trusted ? this.opts.etags?.[mirror] : undefined;
    const headers: Record<string, string> = {};
    // "Still the same?" is asked with the ETag this mirror gave for the timestamp we last saved from it.
    if (known) headers['If-None-Match'] = known.etag;
    let status = 0;
    let etag: string | null = null;
    const parts: Uint8Array[] = [];
    for await (const c of fetchChunks(url, this.limits, {
      headers,
      signal,
      maxBytes: maxLength,
      onResponse: (r) => {
        status = r.status;
        etag = r.headers.get('etag');
      },
    })) {
      parts.push(c);
      progress.bytes += c.byteLength;
    }
    if (status === 304) {
      if (!known || !trusted)
        throw new FetchFailure('http 4xx', `${url} answered 304 to a request without If-None-Match`, 304);
      // A 304 means the trusted bytes only when that ETag names exactly them (which tuf-js then re-checks for
      // expiry like any answer, so a mirror stuck on 304 can't freeze us); otherwise ask again, unconditionally.
      // Checked here, not before asking: the hash is node:crypto's first use, ~1.5 ms the request need not wait.
      if (known.sha256 !== this.trustedSha256(trusted))
        return this.attempt(mirror, rel, maxLength, signal, progress, false);
      return trusted;
    }
    const buf = Buffer.concat(parts);
    // Every metadata file is JSON; an HTML login page or a captive portal is this mirror's fault, not the data's.
    if (rel.startsWith('metadata/')) {
      try {
        JSON.parse(buf.toString('utf8'));
      } catch {
        // Never the reply's bytes in the message: a login page or a hostile mirror chooses them (terminal escapes).
        throw new FetchFailure('not JSON', `${url} did not serve JSON (${buf.length} bytes)`);
      }
    }
    if (isTimestamp && etag)
      this.newEtags[mirror] = { etag, sha256: trusted?.equals(buf) ? this.trustedSha256(trusted) : sha256(buf) };
    return buf;
  }

  private trustedSha256(trusted: Buffer): string {
    return this.opts.trustedTimestampSha256 ?? sha256(trusted);
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
