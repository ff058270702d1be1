import { copyFileSync, createReadStream, existsSync, linkSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { WharfError } from '@wharf/schemas';
import { fsyncDir, fsyncFile, tempPathFor } from '../fs/atomic-write.js';
import { homeFile, removeInHome } from '../home/home-path.js';
import { HOME_DIRS, type HomePaths } from '../home.js';
import { ArtifactHasher } from './hash-stream.js';

/**
 * A content-addressed artifact store in the style of npm's cacache: `get` re-hashes what it returns,
 * `put` is tmp-then-rename, so a second install of the same bytes costs no download. Every path goes through
 * home-path: a link at cache/artifacts or anywhere below it is refused (E_PATH_ESCAPE), never followed.
 */
export class ArtifactCache {
  constructor(readonly home: HomePaths) {}

  private segments(sha256: string): string[] {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new WharfError('E_SCHEMA', `Not a sha256: ${JSON.stringify(sha256)}.`);
    return [...HOME_DIRS.artifacts, 'sha256', sha256.slice(0, 2), sha256.slice(2)];
  }

  /** The entry's path, its directories checked (and created with `create`); the entry may be missing. */
  pathFor(sha256: string, create = false): string {
    return homeFile(this.home.root, this.segments(sha256), { create });
  }

  /**
   * The cached file, if present and still the pinned bytes; a corrupt entry is removed. No BLAKE2b is computed
   * (DESIGN §3): install checks the signed trusted comment's sha256 instead.
   */
  async get(sha256: string, size: number): Promise<{ path: string; sha256: string; size: number } | undefined> {
    const p = this.pathFor(sha256);
    if (!existsSync(p) || statSync(p).size !== size) return undefined;
    const h = new ArtifactHasher();
    for await (const chunk of createReadStream(p, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
    const d = h.digest();
    if (d.sha256 !== sha256) {
      this.rm(sha256);
      return undefined;
    }
    return { path: p, ...d };
  }

  /**
   * Store a verified file under its hash (hard link when possible: same filesystem, no copy). With
   * `dirSync: false` the caller fsyncs the entry's directory itself (install does it off the main thread).
   */
  put(sha256: string, file: string, { dirSync = true }: { dirSync?: boolean } = {}): string {
    const p = this.pathFor(sha256, true);
    if (existsSync(p)) return p;
    const tmp = tempPathFor(p);
    try {
      try {
        linkSync(file, tmp);
      } catch {
        copyFileSync(file, tmp);
        fsyncFile(tmp); // a new inode, which install's fsync of the downloaded file does not cover
      }
      renameSync(tmp, p);
    } finally {
      rmSync(tmp, { force: true });
    }
    if (dirSync) fsyncDir(dirname(p));
    return p;
  }

  rm(sha256: string): void {
    removeInHome(this.home.root, this.segments(sha256), 'file');
  }
}
