import { copyFileSync, createReadStream, existsSync, linkSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDir, tempPathFor } from '../fs/atomic-write.js';
import { ArtifactHasher } from './hash-stream.js';

/**
 * A content-addressed artifact store in the style of npm's cacache: `get` re-hashes what it returns,
 * `put` is tmp-then-rename, so a second install of the same bytes costs no download.
 */
export class ArtifactCache {
  constructor(readonly dir: string) {}

  pathFor(sha256: string): string {
    return join(this.dir, 'sha256', sha256.slice(0, 2), sha256.slice(2));
  }

  /**
   * The cached file, if present and still the pinned bytes; a corrupt entry is removed. No BLAKE2b is computed
   * (DESIGN §3): `blake2b512` stays in the type only so that callers passing it on still compile.
   */
  async get(
    sha256: string,
    size: number,
  ): Promise<{ path: string; sha256: string; blake2b512?: Uint8Array; size: number } | undefined> {
    const p = this.pathFor(sha256);
    if (!existsSync(p) || statSync(p).size !== size) return undefined;
    const h = new ArtifactHasher();
    for await (const chunk of createReadStream(p, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
    const d = h.digest();
    if (d.sha256 !== sha256) {
      rmSync(p, { force: true });
      return undefined;
    }
    return { path: p, ...d };
  }

  /** Store a verified file under its hash (hard link when possible: same filesystem, no copy). */
  put(sha256: string, file: string): string {
    const p = this.pathFor(sha256);
    if (existsSync(p)) return p;
    mkdirSync(dirname(p), { recursive: true });
    const tmp = tempPathFor(p);
    try {
      try {
        linkSync(file, tmp);
      } catch {
        copyFileSync(file, tmp);
      }
      renameSync(tmp, p);
    } finally {
      rmSync(tmp, { force: true });
    }
    fsyncDir(dirname(p));
    return p;
  }

  rm(sha256: string): void {
    rmSync(this.pathFor(sha256), { force: true });
  }
}
