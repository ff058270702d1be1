import { closeSync, openSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Artifact, WharfError } from '@wharf/schemas';
import { tempPathFor } from '../fs/atomic-write.js';
import { FetchFailure, type FetchLimits, type NetSeam, openResponse } from '../index/http-fetch.js';
import { HashStream } from './hash-stream.js';

export interface Downloaded {
  path: string;
  url: string;
  sha256: string;
  size: number;
  /** The bytes as they arrived, when small enough to keep (≤ KEEP_BYTES): admission reads them instead of the file. */
  bytes?: Buffer;
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
 * The file end of the pipeline: each chunk is written with a plain write(2) on the main thread. A write into the page
 * cache is a memcpy (~0.1 ms for 64 KiB); a WriteStream sends every chunk through the threadpool instead, a futex
 * wake and an event-loop turn per chunk (strace: ~1,200 futex calls for 10 MB, against curl's plain writes).
 */
function fileSink(fd: number): Writable {
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, done) {
      try {
        for (let off = 0; off < chunk.byteLength; ) off += writeSync(fd, chunk, off);
      } catch (e) {
        done(e as Error);
        return;
      }
      done();
    },
  });
}
/**
 * Up to this size the chunks are also kept in memory as they stream, so WASM admission needs no second read of the
 * file (a 10 MB read was ~6 ms of a ~60 ms install). It is the scanner's own size limit: anything larger is refused
 * by admission anyway, and is then read from the file as before.
 */
export const KEEP_BYTES = 32 * 1024 * 1024;

/**
 * Stream the artifact to a temp file beside `targetDir`, hashing as it goes and capped at the pinned size:
 * socket → sha256 → file in one pipeline, the way `http.get(...).pipe(file)` does it (DESIGN §9).
 * Each URL is tried in order until one yields the pinned sha256; the temp file never outlives a failure.
 */
export async function downloadArtifact(
  artifact: Artifact,
  tmpDir: string,
  opts: { limits?: FetchLimits; onProgress?: Progress; net?: NetSeam } = {},
): Promise<Downloaded> {
  const failures: string[] = [];
  let sawHashMismatch = false;
  let sawBlockedRedirect = false;
  for (const url of artifact.urls) {
    const tmp = tempPathFor(`${tmpDir}/artifact`);
    let ok = false;
    try {
      const body = await openResponse(url, opts.limits ?? ARTIFACT_LIMITS, { maxBytes: artifact.size, net: opts.net });
      if (!body) throw new FetchFailure('http 4xx', `${url} answered 304 to a plain GET`, 304);
      // One buffer of the pinned size, filled in place (the cap refuses anything past it before a copy).
      const kept = artifact.size <= KEEP_BYTES ? Buffer.allocUnsafe(artifact.size) : undefined;
      const hash = new HashStream((chunk, received) => {
        body.chunk(chunk.byteLength);
        kept?.set(chunk, received - chunk.byteLength);
        opts.onProgress?.(received, artifact.size);
      });
      // No fsync here: the file only ever reaches a plugin dir as a hard link (same inode) that install fsyncs before
      // renaming it into place, and the cache re-hashes what it returns. One flush of the bytes, not two.
      const fd = openSync(tmp, 'wx', 0o644);
      try {
        await pipeline(body.res, hash, fileSink(fd));
      } catch (e) {
        throw body.failure(e);
      } finally {
        body.close();
        closeSync(fd);
      }
      const d = hash.hasher.digest();
      if (d.size !== artifact.size || d.sha256 !== artifact.sha256) {
        sawHashMismatch = true;
        failures.push(
          `${url}: got ${d.size} bytes with sha256 ${d.sha256.slice(0, 12)}…, expected ${artifact.size} bytes with ${artifact.sha256.slice(0, 12)}…`,
        );
        continue;
      }
      ok = true;
      return { path: tmp, url, ...d, ...(kept ? { bytes: kept } : {}) };
    } catch (e) {
      if (e instanceof FetchFailure && e.reason === 'too large') sawHashMismatch = true;
      if (e instanceof WharfError && e.code === 'E_HTTP_REDIRECT_BLOCKED') sawBlockedRedirect = true;
      failures.push(`${url}: ${(e as Error).message}`);
    } finally {
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
