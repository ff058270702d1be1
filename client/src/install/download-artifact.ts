import { close, closeSync, fsync, openSync, write, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { type Artifact, WharfError } from '@wharf/schemas';
import { tempPathFor } from '../fs/atomic-write.js';
import { FetchFailure, type FetchLimits, type NetSeam, openResponse } from '../index/http-fetch.js';
import { ArtifactHasher } from './hash-stream.js';

export interface Downloaded {
  path: string;
  url: string;
  sha256: string;
  size: number;
  /** The bytes as they arrived, when small enough to keep (≤ KEEP_BYTES): admission reads them instead of the file. */
  bytes?: Buffer;
  /**
   * With `durable: true`: settles when the file's bytes are on disk (fsync), and only then closes its descriptor.
   * The caller awaits it before renaming anything that links to the file, and before removing the file.
   */
  durable?: Promise<void>;
}

export type Progress = (received: number, total: number) => void;

/** Artifacts get a stall timer that resets on every chunk, not a total deadline (DESIGN §9). */
export const ARTIFACT_LIMITS: FetchLimits = {
  headersTimeoutMs: 10_000,
  stallTimeoutMs: 10_000,
  minBytesPerSec: 1_024,
  totalTimeoutMs: 60 * 60 * 1000,
};

/**
 * Up to this size the chunks are also kept in memory as they stream, so WASM admission needs no second read of the
 * file (a 10 MB read was ~6 ms of a ~60 ms install). It is the scanner's own size limit: anything larger is refused
 * by admission anyway, and is then read from the file as before.
 */
export const KEEP_BYTES = 32 * 1024 * 1024;

/** A write to the file is started once this much has arrived since the last one (or the body ended). */
const WRITE_BATCH = 1 << 20;

const written = (fd: number, buf: Buffer, off: number, len: number, pos: number) =>
  new Promise<number>((ok, fail) => write(fd, buf, off, len, pos, (e, n) => (e ? fail(e) : ok(n))));
const synced = (fd: number) => new Promise<void>((ok, fail) => fsync(fd, (e) => (e ? fail(e) : ok())));

/**
 * The file end of a kept download: the bytes land in `kept` (one buffer of the pinned size) on the main thread, and
 * the file is written from it on the threadpool, one positional write in flight covering everything that arrived
 * since the last, so the main thread only reads, hashes and copies: 10 MB as ~10 writes instead of ~160 write(2)
 * on the main thread (those were ~8–10 ms of a ~35 ms body here). (An fdatasync every 2 MiB beside the writes, to
 * have the disk write back during the body, was tried: the final fsync took ~8 ms either way here, its latency is
 * the journal commit, not the bytes left, so there is none.)
 */
class KeptFile {
  private received = 0;
  private done = 0;
  private ending = false;
  private writing: Promise<void> | undefined;
  private error: unknown;

  constructor(
    private readonly fd: number,
    private readonly kept: Buffer,
    /** Called with a write error, so the caller can stop the transfer at once. */
    private readonly onError: (e: unknown) => void,
  ) {}

  /** The first `received` bytes of `kept` are final. */
  arrived(received: number): void {
    this.received = received;
    this.kick();
  }

  /** Start the writer if it is idle and there is enough to write (anything, once the body ended). */
  private kick(): void {
    if (this.writing || this.error !== undefined) return;
    const pending = this.received - this.done;
    if (pending > 0 && (this.ending || pending >= WRITE_BATCH)) this.writing = this.write();
  }

  private async write(): Promise<void> {
    try {
      const start = this.done;
      this.done += await written(this.fd, this.kept, start, this.received - start, start);
    } catch (e) {
      this.fail(e);
    } finally {
      this.writing = undefined;
    }
    this.kick(); // bytes that arrived during this write
  }

  private fail(e: unknown): void {
    this.error ??= e;
    this.onError(e);
  }

  /** Write whatever is left; resolves when all of `received` is in the file, or rejects with the write's error. */
  async end(): Promise<void> {
    this.ending = true;
    this.kick();
    await this.settle();
    if (this.error !== undefined) throw this.error;
  }

  /** Wait until no write is in flight, whatever its outcome (before the descriptor may be closed). */
  async settle(): Promise<void> {
    while (this.writing) await this.writing;
  }
}

/**
 * The kept buffer, made on the next turn of the event loop (after the request has gone out) with every page
 * touched: its allocation (which can set off a GC, ~3 ms here) and its ~2,500 first-touch page faults (~2 ms for
 * 10 MB) then fall in the wait for the first byte instead of in the body, where the copies into it would pay them.
 */
function keptBuffer(size: number): Promise<Buffer> {
  return new Promise((ok) => setImmediate(() => ok(Buffer.allocUnsafe(size).fill(0))));
}

/**
 * The rest of a durable download, on the threadpool: the last writes, the fsync, then the close (whatever the
 * outcome). A failure is E_IO: the bytes hashed fine but could not be put on disk.
 */
async function finish(fd: number, path: string, file: KeptFile | undefined): Promise<void> {
  try {
    await file?.end();
    await synced(fd);
  } catch (e) {
    throw new WharfError('E_IO', `Could not write the artifact to ${path}: ${(e as Error).message}`);
  } finally {
    await file?.settle();
    await new Promise<void>((ok) => close(fd, () => ok()));
  }
}

/**
 * Stream the artifact to a temp file beside `targetDir`, hashing as it goes and capped at the pinned size:
 * socket → sha256 → file chunk by chunk, as `http.get(...).pipe(file)` does it (DESIGN §9); up to KEEP_BYTES the
 * file is written from the kept copy on the threadpool (KeptFile). With `durable`, it returns as soon as the hash is
 * known and `durable` finishes the writes and the fsync. Each URL is tried in order until one yields the pinned
 * sha256; the temp file never outlives a failure.
 */
export async function downloadArtifact(
  artifact: Artifact,
  tmpDir: string,
  opts: { limits?: FetchLimits; onProgress?: Progress; net?: NetSeam; durable?: boolean } = {},
): Promise<Downloaded> {
  const failures: string[] = [];
  let sawHashMismatch = false;
  let sawBlockedRedirect = false;
  for (const url of artifact.urls) {
    const tmp = tempPathFor(`${tmpDir}/artifact`);
    let ok = false;
    let fd: number | undefined;
    try {
      const opening = openResponse(url, opts.limits ?? ARTIFACT_LIMITS, { maxBytes: artifact.size, net: opts.net });
      opening.catch(() => {}); // awaited below: a failure while the buffer is made is not an unhandled rejection
      // One buffer of the pinned size, filled in place (the cap refuses anything past it before a copy). It is made
      // while the request is out, when the main thread would wait at least a round trip for the reply anyway.
      const kept = artifact.size <= KEEP_BYTES ? await keptBuffer(artifact.size) : undefined;
      const body = await opening;
      if (!body) throw new FetchFailure('http 4xx', `${url} answered 304 to a plain GET`, 304);
      const hasher = new ArtifactHasher();
      fd = openSync(tmp, 'wx', 0o644);
      const file = kept && new KeptFile(fd, kept, (e) => body.res.destroy(e as Error));
      try {
        try {
          // socket → sha256 → memory and file, chunk by chunk, as `http.get(...).pipe(file)` would (DESIGN §9).
          for await (const chunk of body.res as AsyncIterable<Buffer>) {
            body.chunk(chunk.byteLength); // the cap, the throughput floor and the stall timer; throws
            hasher.update(chunk);
            if (file) {
              (kept as Buffer).set(chunk, hasher.size - chunk.byteLength);
              file.arrived(hasher.size);
            } else {
              for (let off = 0; off < chunk.byteLength; ) off += writeSync(fd, chunk, off);
            }
            opts.onProgress?.(hasher.size, artifact.size);
          }
          // With `durable` the last writes and the fsync finish on the threadpool under `durable`: the hash is known now.
          if (file && !opts.durable) await file.end();
        } finally {
          body.close();
        }
      } catch (e) {
        await file?.settle(); // no write may still be running when the descriptor is closed
        throw body.failure(e);
      }
      const d = hasher.digest();
      if (d.size !== artifact.size || d.sha256 !== artifact.sha256) {
        await file?.settle();
        sawHashMismatch = true;
        failures.push(
          `${url}: got ${d.size} bytes with sha256 ${d.sha256.slice(0, 12)}…, expected ${artifact.size} bytes with ${artifact.sha256.slice(0, 12)}…`,
        );
        continue;
      }
      ok = true;
      const handed = fd;
      fd = undefined;
      if (opts.durable) {
        const durable = finish(handed, tmp, file);
        return { path: tmp, url, ...d, ...(kept ? { bytes: kept } : {}), durable };
      }
      closeSync(handed);
      return { path: tmp, url, ...d, ...(kept ? { bytes: kept } : {}) };
    } catch (e) {
      if (e instanceof FetchFailure && e.reason === 'too large') sawHashMismatch = true;
      if (e instanceof WharfError && e.code === 'E_HTTP_REDIRECT_BLOCKED') sawBlockedRedirect = true;
      failures.push(`${url}: ${(e as Error).message}`);
    } finally {
      if (fd !== undefined) closeSync(fd);
      if (!ok) await rm(tmp, { force: true });
    }
  }
  const list = failures.map((f) => `  ${f}`).join('\n');
  if (sawHashMismatch) {
    throw new WharfError('E_ARTIFACT_HASH', `No URL served the pinned bytes of ${artifact.name}:\n${list}`, {
      failures,
    });
  }
  if (sawBlockedRedirect) {
    throw new WharfError('E_HTTP_REDIRECT_BLOCKED', `No URL of ${artifact.name} could be downloaded:\n${list}`, {
      failures,
    });
  }
  throw new WharfError('E_ALL_MIRRORS_FAILED', `Could not download ${artifact.name}:\n${list}`, { failures });
}
