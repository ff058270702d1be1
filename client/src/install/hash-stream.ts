import { createHash } from 'node:crypto';

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
