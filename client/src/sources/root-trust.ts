import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { WharfError } from '@wharf/schemas';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { fileInHomeDir, homeDir, homeFile, presentFileInHomeDir } from '../home/home-path.js';
import type { HomePaths } from '../home.js';
import { DEFAULT_LIMITS, FetchFailure, fetchBytes } from '../index/http-fetch.js';

export interface RootInput {
  rootFile?: string;
  rootSha256?: string;
}

/**
 * Establish trust in a source's first root: either a root file the user holds, or the fingerprint of one that
 * is fetched from the mirrors and must match. Without one of them there is nothing to anchor TUF to.
 */
export async function obtainRoot(mirrors: string[], input: RootInput): Promise<{ bytes: Buffer; sha256: string }> {
  if (input.rootFile) {
    const bytes = readFileSync(input.rootFile);
    const sha256 = sha(bytes);
    if (input.rootSha256 && input.rootSha256.toLowerCase() !== sha256) {
      throw new WharfError(
        'E_ROOT_FINGERPRINT',
        `${input.rootFile} has sha256 ${sha256}, not the given ${input.rootSha256}.`,
      );
    }
    checkRootShape(bytes, input.rootFile);
    return { bytes, sha256 };
  }
  if (!input.rootSha256 || !/^[0-9a-f]{64}$/i.test(input.rootSha256)) {
    throw new WharfError(
      'E_USAGE',
      'A TUF source needs --root-sha256 <64 hex chars> or --root-file <path> to anchor trust.',
    );
  }
  const want = input.rootSha256.toLowerCase();
  const problems: string[] = [];
  let answered = false;
  for (const m of mirrors) {
    try {
      const bytes = await fetchBytes(`${m}/metadata/1.root.json`, DEFAULT_LIMITS, 1024 * 1024);
      answered = true;
      const got = sha(bytes);
      if (got !== want) {
        problems.push(`${m}: its 1.root.json has sha256 ${got}`);
        continue;
      }
      checkRootShape(bytes, m);
      return { bytes, sha256: got };
    } catch (e) {
      // A server that answered (an HTTP status, an oversized file) is there; refusals and timeouts are not.
      if (!(e instanceof FetchFailure) || !['refused', 'timeout', 'error'].includes(e.reason)) answered = true;
      problems.push(`${m}: ${(e as Error).message}`);
    }
  }
  // No mirror answered at all: nothing was compared, so it is not a fingerprint mismatch.
  if (!answered)
    throw new WharfError(
      'E_SOURCE_UNREACHABLE',
      `No mirror could be reached to fetch the root metadata:\n  ${problems.join('\n  ')}`,
    );
  throw new WharfError(
    'E_ROOT_FINGERPRINT',
    `No mirror served a root with sha256 ${want}:\n  ${problems.join('\n  ')}`,
  );
}

/** The trust dir's components for a source: the one place refresh, source add and source remove name it. */
export const trustSegments = (alias: string) => ['trust', alias, 'metadata'];

/**
 * A source's trusted-metadata dir and the files in it, through checked paths: a link at trust/<alias>, its
 * metadata/ or a file in it would make tuf-js trust, and write, files outside the home (E_PATH_ESCAPE).
 * Undefined when the source has no trusted root yet.
 */
/** The top-level TUF metadata a source's trusted dir holds (hash bins of a sharded source come beside them). */
export const TRUSTED_FILES = ['root.json', 'timestamp.json', 'snapshot.json', 'targets.json'];

export function trustedMetadata(home: HomePaths, alias: string): { dir: string; files: string[] } | undefined {
  const segs = trustSegments(alias);
  const dir = homeDir(home.root, segs, { create: false });
  // The directory is checked once; each file in it then as homeFile checks its last component (one lstat each,
  // not one per component: a no-change refresh reads this listing twice).
  if (!dir || !presentFileInHomeDir(dir, 'root.json')) return undefined;
  return { dir, files: readdirSync(dir).map((f) => fileInHomeDir(dir, f)) };
}

/** Write the first trusted root; a link at trust/, trust/<alias> or its metadata/ is refused (E_PATH_ESCAPE). */
export function storeRoot(home: HomePaths, alias: string, bytes: Uint8Array): void {
  writeFileAtomic(homeFile(home.root, [...trustSegments(alias), 'root.json'], { create: true }), bytes);
}

function checkRootShape(bytes: Buffer, where: string): void {
  try {
    const j = JSON.parse(bytes.toString('utf8')) as { signed?: { _type?: string } };
    if (j.signed?._type === 'root') return;
  } catch {
    // fall through
  }
  throw new WharfError('E_ROOT_FINGERPRINT', `${where} is not a TUF root metadata file.`);
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
