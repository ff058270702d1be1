import { createHash, type Hash } from 'node:crypto';

/** sha256 pins the artifact; blake2b-512 is what a prehashed minisign signature covers. One pass feeds both. */
export class ArtifactHasher {
  private readonly sha = createHash('sha256');
  private readonly b2 = createHash('blake2b512');
  size = 0;

  update(chunk: Uint8Array): void {
    this.sha.update(chunk);
    this.b2.update(chunk);
    this.size += chunk.byteLength;
  }

  digest(): { sha256: string; blake2b512: Uint8Array; size: number } {
    return { sha256: hex(this.sha), blake2b512: new Uint8Array(this.b2.digest()), size: this.size };
  }
}

const hex = (h: Hash) => h.digest('hex');
