import { close, closeSync, fsync, openSync, writev } from 'node:fs';
import { rm } from 'node:fs/promises';
import { type Artifact, WharfError } from '@wharf/schemas';
import { tempPathFor } from '../fs/atomic-write.js';
import { FetchFailure, type FetchLimits, type NetSeam, openResponse } from '../index/http-fetch.js';
import { type Sieved, WasmSieve } from '../scan/sieve-wasm.js';
import { ArtifactHasher } from './hash-stream.js';

export interface Downloaded {
  path: string;
  url: string;
  sha256: string;
  size: number;
  /**
   * What WASM admission reads of the bytes as they arrived, when the artifact is within KEEP_BYTES: the module with
   * its large custom payloads dropped (sieve-wasm.ts), so admission needs no second read of the file.
   */
  sieved?: Sieved;
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
 * Up to this size the bytes are sieved for admission as they stream. It is the scanner's own size limit: anything
 * larger is refused by admission anyway (on its size, before any read).
 */
export const KEEP_BYTES = 32 * 1024 * 1024;

/** A write to the file is started once this much has arrived since the last one (or the body ended)... */
const WRITE_BATCH = 1 << 20;
/** ...or this many chunks (a slow server's small ones), under the kernel's iovec limit. */
const WRITE_CHUNKS = 512;
/** The body is not read further while this much waits for the disk. */
const HIGH_WATER = 8 * WRITE_BATCH;

const writtenv = (fd: number, bufs: Buffer[], pos: number) =>
  new Promise<number>((ok, fail) => writev(fd, bufs, pos, (e, n) => (e ? fail(e) : ok(n))));
const synced = (fd: number) => new Promise<void>((ok, fail) => fsync(fd, (e) => (e ? fail(e) : ok())));

/** `bufs` without their first `n` bytes (after a short writev). */
function after(bufs: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < bufs.length && n >= (bufs[i] as Buffer).byteLength) n -= (bufs[i++] as Buffer).byteLength;
  return i < bufs.length ? [(bufs[i] as Buffer).subarray(n), ...bufs.slice(i + 1)] : [];
}

/**
 * The file end of a download: the socket's chunks as they arrived, written on the threadpool as one positional
 * writev of everything since the last (1 MiB batches), one write in flight, so the main thread only reads, hashes
 * and sieves: ~10 writes for 10 MB instead of ~160 write(2) on the main thread (those were ~8–10 ms of a ~35 ms
 * body). No copy: each chunk is written as Node read it and let go once written. (A buffer of the whole artifact,
 * filled as it streamed, was this before: its first-touch page faults cost ~35 ms for 10 MB on a VM where they
 * are ~3 ms per MB, more than the transfer.)
 */
class ChunkWriter {
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private pos = 0;
  private ending = false;
  private writing: Promise<void> | undefined;
  private error: unknown;

  constructor(
    private readonly fd: number,
    /** Called with a write error, so the caller can stop the transfer at once. */
    private readonly onError: (e: unknown) => void,
  ) {}

  add(chunk: Buffer): void {
    this.queued.push(chunk);
    this.queuedBytes += chunk.byteLength;
    this.kick();
  }

  /** True while more than HIGH_WATER waits for the disk: the caller awaits drained() before reading on. */
  get backlogged(): boolean {
    return this.queuedBytes >= HIGH_WATER;
  }

  async drained(): Promise<void> {
    while (this.backlogged && this.writing) await this.writing;
  }

  /** Start the writer if it is idle and there is enough to write (anything, once the body ended). */
  private kick(): void {
    if (this.writing || this.error !== undefined || this.queuedBytes === 0) return;
    if (this.ending || this.queuedBytes >= WRITE_BATCH || this.queued.length >= WRITE_CHUNKS)
      this.writing = this.write();
  }

  private async write(): Promise<void> {
    let bufs = this.queued;
    const n = this.queuedBytes;
    this.queued = [];
    this.queuedBytes = 0;
    try {
      for (let done = 0; done < n; ) {
        const w = await writtenv(this.fd, bufs, this.pos + done);
        done += w;
        if (done < n) bufs = after(bufs, w);
      }
      this.pos += n;
    } catch (e) {
      this.fail(e);
    } finally {
      this.writing = undefined;
    }
    this.kick(); // chunks that arrived during this write
  }

  private fail(e: unknown): void {
    this.error ??= e;
    this.onError(e);
  }

  /** Write whatever is left; resolves when every chunk is in the file, or rejects with the write's error. */
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
 * The rest of a durable download, on the threadpool: the last writes, the fsync, then the close (whatever the
 * outcome). A failure is E_IO: the bytes hashed fine but could not be put on disk.
 */
async function finish(fd: number, path: string, file: ChunkWriter): Promise<void> {
  try {
    await file.end();
    await synced(fd);
  } catch (e) {
    throw new WharfError('E_IO', `Could not write the artifact to ${path}: ${(e as Error).message}`);
  } finally {
    await file.settle();
    await new Promise<void>((ok) => close(fd, () => ok()));
  }
}

/**
 * Stream the artifact to a temp file beside `targetDir`, hashing as it goes and capped at the pinned size:
 * socket → sha256 → file chunk by chunk, as `http.get(...).pipe(file)` does it (DESIGN §9), the writes batched on
 * the threadpool (ChunkWriter); up to KEEP_BYTES the bytes are sieved for admission on the way. With `durable`, it
 * returns as soon as the hash is known and `durable` finishes the writes and the fsync. Each URL is tried in order
 * until one yields the pinned sha256; the temp file never outlives a failure.
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
      const body = await openResponse(url, opts.limits ?? ARTIFACT_LIMITS, { maxBytes: artifact.size, net: opts.net });
      if (!body) throw new FetchFailure('http 4xx', `${url} answered 304 to a plain GET`, 304);
      const hasher = new ArtifactHasher();
      const sieve = artifact.size <= KEEP_BYTES ? new WasmSieve() : undefined;
      fd = openSync(tmp, 'wx', 0o644);
      const file = new ChunkWriter(fd, (e) => body.res.destroy(e as Error));
      try {
        try {
          // socket → sha256 → sieve and file, chunk by chunk, as `http.get(...).pipe(file)` would (DESIGN §9).
          for await (const chunk of body.res as AsyncIterable<Buffer>) {
            body.chunk(chunk.byteLength); // the cap, the throughput floor and the stall timer; throws
            hasher.update(chunk);
            sieve?.push(chunk);
            file.add(chunk);
            if (file.backlogged) await file.drained(); // the disk is slower than the network: read no further
            opts.onProgress?.(hasher.size, artifact.size);
          }
          // With `durable` the last writes and the fsync finish on the threadpool under `durable`: the hash is known now.
          if (!opts.durable) await file.end();
        } finally {
          body.close();
        }
      } catch (e) {
        await file.settle(); // no write may still be running when the descriptor is closed
        throw body.failure(e);
      }
      const d = hasher.digest();
      if (d.size !== artifact.size || d.sha256 !== artifact.sha256) {
        await file.settle();
        sawHashMismatch = true;
        failures.push(
          `${url}: got ${d.size} bytes with sha256 ${d.sha256.slice(0, 12)}…, expected ${artifact.size} bytes with ${artifact.sha256.slice(0, 12)}…`,
        );
        continue;
      }
      ok = true;
      const handed = fd;
      fd = undefined;
      const sieved = sieve ? { sieved: sieve.end() } : {};
      if (opts.durable) return { path: tmp, url, ...d, ...sieved, durable: finish(handed, tmp, file) };
      closeSync(handed);
      return { path: tmp, url, ...d, ...sieved };
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
