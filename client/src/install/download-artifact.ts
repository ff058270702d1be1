import { open, rm } from 'node:fs/promises';
import { type Artifact, WharfError } from '@wharf/schemas';
import { tempPathFor } from '../fs/atomic-write.js';
import { FetchFailure, type FetchLimits, fetchChunks } from '../index/http-fetch.js';
import { ArtifactHasher } from './hash-stream.js';

export interface Downloaded {
  path: string;
  url: string;
  sha256: string;
  blake2b512: Uint8Array;
  size: number;
}

export type Progress = (received: number, total: number) => void;

/** Artifacts get a stall timer that resets on every chunk, not a total deadline (DESIGN §9). */
export const ARTIFACT_LIMITS: FetchLimits = {
  headersTimeoutMs: 10_000,
  stallTimeoutMs: 10_000,
  minBytesPerSec: 1_024,
  totalTimeoutMs: 60 * 60 * 1000,
};

// Large writes close most of the gap to curl: the hashing is nearly free, the syscalls are not (DESIGN §9).
const WRITE_CHUNK = 1 << 20;

/**
 * Stream the artifact to a temp file beside `targetDir`, hashing as it goes and capped at the pinned size.
 * Each URL is tried in order until one yields the pinned sha256; the temp file never outlives a failure.
 */
export async function downloadArtifact(
  artifact: Artifact,
  tmpDir: string,
  opts: { limits?: FetchLimits; onProgress?: Progress } = {},
): Promise<Downloaded> {
  const failures: string[] = [];
  let sawHashMismatch = false;
  for (const url of artifact.urls) {
    const tmp = tempPathFor(`${tmpDir}/artifact`);
    const fh = await open(tmp, 'wx', 0o644);
    const h = new ArtifactHasher();
    let ok = false;
    let writing: Promise<unknown> = Promise.resolve();
    try {
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      // One writev per MB, left running while the next MB arrives: no concat copy, and reads overlap writes.
      const flush = async () => {
        await writing;
        if (!pendingBytes) return;
        writing = fh.writev(pending);
        pending = [];
        pendingBytes = 0;
      };
      for await (const chunk of fetchChunks(url, opts.limits ?? ARTIFACT_LIMITS, { maxBytes: artifact.size })) {
        h.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= WRITE_CHUNK) await flush();
        opts.onProgress?.(h.size, artifact.size);
      }
      await flush();
      await writing;
      const d = h.digest();
      if (d.size !== artifact.size || d.sha256 !== artifact.sha256) {
        sawHashMismatch = true;
        failures.push(
          `${url}: got ${d.size} bytes with sha256 ${d.sha256.slice(0, 12)}…, expected ${artifact.size} bytes with ${artifact.sha256.slice(0, 12)}…`,
        );
        continue;
      }
      await fh.sync();
      ok = true;
      return { path: tmp, url, ...d };
    } catch (e) {
      if (e instanceof FetchFailure && e.reason === 'too large') sawHashMismatch = true;
      failures.push(`${url}: ${(e as Error).message}`);
    } finally {
      await writing.catch(() => {});
      await fh.close();
      if (!ok) await rm(tmp, { force: true });
    }
  }
  const list = failures.map((f) => `  ${f}`).join('\n');
  if (sawHashMismatch) {
    throw new WharfError('E_ARTIFACT_HASH', `No URL served the pinned bytes of ${artifact.name}:\n${list}`, {
      failures,
    });
  }
  throw new WharfError('E_ALL_MIRRORS_FAILED', `Could not download ${artifact.name}:\n${list}`, { failures });
}
