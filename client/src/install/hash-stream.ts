import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * sha256 of an artifact as it streams. sha256 pins the artifact in the index and the author's trusted comment
 * binds that same sha256, so install needs no BLAKE2b pass (DESIGN §3); `wharf verify --full` does that one.
 */
export class ArtifactHasher {
  private readonly sha = createHash('sha256');
  size = 0;

  update(chunk: Uint8Array): void {
    this.sha.update(chunk);
    this.size += chunk.byteLength;
  }

  digest(): { sha256: string; size: number } {
    return { sha256: this.sha.digest('hex'), size: this.size };
  }
}

/** A pass-through stage that hashes every chunk; `onChunk` sees it after hashing and may throw to stop the pipeline (cap, throughput). */
export class HashStream extends Transform {
  readonly hasher = new ArtifactHasher();

  constructor(private readonly onChunk: (chunk: Buffer, total: number) => void = () => {}) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.hasher.update(chunk);
      this.onChunk(chunk, this.hasher.size);
    } catch (e) {
      done(e as Error);
      return;
    }
    done(null, chunk);
  }
}
