import { createHash } from 'node:crypto';
import { DEFAULT_LIMITS, DEFAULT_SCAN_LIMITS, FetchFailure, fetchChunks } from '@wharf/client';
import { checkUrl, WharfError } from '@wharf/schemas';
import type { GitHub } from './octokit.js';

/** Size caps for everything the bot downloads from a submitter's repo. */
export interface DownloadCaps {
  wasm: number;
  minisig: number;
  manifest: number;
  keyFile: number;
  /** README.md kept with the release for the catalog; a bigger one is left out, not refused. */
  readme?: number;
}

export const DEFAULT_CAPS: DownloadCaps = {
  wasm: DEFAULT_SCAN_LIMITS.maxBytes, // a bigger module would only be refused by the scan
  minisig: 8 * 1024,
  manifest: 256 * 1024,
  keyFile: 4 * 1024,
  readme: 256 * 1024, // bytes; the registry then keeps at most README_MAX characters
};

export const ASSET_NAMES = { wasm: 'plugin.wasm', minisig: 'plugin.wasm.minisig', manifest: 'plugin.json' } as const;
/** Where the author's public key lives in their repo at the tag. */
export const KEY_FILE = 'minisign.pub';

export interface FetchedRelease {
  repo: { id: number; ownerId: number; fullName: string; htmlUrl: string; license?: string; private: boolean };
  release: { id: number; tag: string; htmlUrl: string; draft: boolean; prerelease: boolean };
  assets: {
    wasm: { bytes: Uint8Array; url: string; size: number };
    minisig: { bytes: Uint8Array; url: string };
    manifest: { bytes: Uint8Array; url: string };
  };
  keyFile?: string;
  hasReadme: boolean;
  /** README.md at the tag, when within caps.readme. */
  readme?: Uint8Array;
}

export const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function isStatus(e: unknown, status: number): boolean {
  return typeof e === 'object' && e !== null && (e as { status?: number }).status === status;
}

/** `X.Y.Z` and `vX.Y.Z` name the same release; try the given spelling first. */
export function tagCandidates(tag: string): string[] {
  return tag.startsWith('v') ? [tag, tag.slice(1)] : [tag, `v${tag}`];
}

/**
 * Downloads a URL the GitHub API returned (never one from the issue text), capped by the declared asset size and
 * again while streaming.
 */
export async function downloadCapped(
  url: string,
  cap: number,
  headers: Record<string, string> = {},
): Promise<Uint8Array> {
  checkUrl(url, { allowLoopback: true });
  const chunks: Uint8Array[] = [];
  let n = 0;
  try {
    for await (const c of fetchChunks(url, DEFAULT_LIMITS, { maxBytes: cap, headers })) {
      chunks.push(c);
      n += c.byteLength;
    }
  } catch (e) {
    if (e instanceof FetchFailure && e.reason === 'too large')
      throw new WharfError('E_TOO_LARGE', `${url} is over the ${cap}-byte cap.`);
    // A refused redirect or a silent host is not a missing asset: the report must say which it was.
    if (e instanceof WharfError && ['E_HTTP_REDIRECT_BLOCKED', 'E_TIMEOUT'].includes(e.code)) throw e;
    throw new WharfError('E_NOT_FOUND', `Cannot download ${url}: ${(e as Error).message}`);
  }
  return new Uint8Array(Buffer.concat(chunks, n));
}

/** Repo metadata, the release by tag, its three assets and the key file at the tag, all through the REST API. */
export async function fetchRelease(
  gh: GitHub,
  slug: string,
  tag: string,
  caps: DownloadCaps = DEFAULT_CAPS,
): Promise<FetchedRelease> {
  const [owner, repo] = slug.split('/') as [string, string];
  let repoData: Awaited<ReturnType<GitHub['rest']['repos']['get']>>['data'];
  try {
    repoData = (await gh.rest.repos.get({ owner, repo })).data;
  } catch (e) {
    if (isStatus(e, 404)) throw new WharfError('E_NOT_FOUND', `The repository ${slug} does not exist or is private.`);
    throw e;
  }
  let rel: Awaited<ReturnType<GitHub['rest']['repos']['getReleaseByTag']>>['data'] | undefined;
  for (const t of tagCandidates(tag)) {
    try {
      rel = (await gh.rest.repos.getReleaseByTag({ owner, repo, tag: t })).data;
      break;
    } catch (e) {
      if (!isStatus(e, 404)) throw e;
    }
  }
  if (!rel) throw new WharfError('E_NOT_FOUND', `${slug} has no release tagged ${tag}.`);
  const asset = (name: string) => {
    const a = rel.assets.find((x) => x.name === name);
    if (!a) throw new WharfError('E_NOT_FOUND', `The release ${rel.tag_name} of ${slug} has no asset ${name}.`);
    return a;
  };
  const fetchAsset = async (name: string, cap: number) => {
    const a = asset(name);
    if (a.size > cap) throw new WharfError('E_TOO_LARGE', `${name} is ${a.size} bytes, over the ${cap}-byte cap.`);
    const bytes = await downloadCapped(a.browser_download_url, Math.min(cap, a.size));
    return { bytes, url: a.browser_download_url, size: a.size };
  };
  const wasm = await fetchAsset(ASSET_NAMES.wasm, caps.wasm);
  const minisig = await fetchAsset(ASSET_NAMES.minisig, caps.minisig);
  const manifest = await fetchAsset(ASSET_NAMES.manifest, caps.manifest);
  let keyFile: string | undefined;
  try {
    const r = await gh.rest.repos.getContent({ owner, repo, path: KEY_FILE, ref: rel.tag_name });
    const d = r.data as { type?: string; content?: string; size?: number };
    if (d.type === 'file' && typeof d.content === 'string' && (d.size ?? 0) <= caps.keyFile)
      keyFile = Buffer.from(d.content, 'base64').toString('utf8');
  } catch (e) {
    if (!isStatus(e, 404)) throw e;
  }
  let hasReadme = false;
  let readme: Uint8Array | undefined;
  try {
    const r = await gh.rest.repos.getReadme({ owner, repo, ref: rel.tag_name });
    hasReadme = true;
    const d = r.data as { type?: string; content?: string; size?: number };
    if (d.type === 'file' && typeof d.content === 'string' && (d.size ?? Infinity) <= (caps.readme ?? 0))
      readme = Buffer.from(d.content, 'base64');
  } catch (e) {
    if (!isStatus(e, 404)) throw e;
  }
  const license = repoData.license?.spdx_id ?? undefined;
  return {
    repo: {
      id: repoData.id,
      ownerId: repoData.owner.id,
      fullName: repoData.full_name,
      htmlUrl: repoData.html_url,
      private: repoData.private,
      ...(license ? { license } : {}),
    },
    release: { id: rel.id, tag: rel.tag_name, htmlUrl: rel.html_url, draft: rel.draft, prerelease: rel.prerelease },
    assets: { wasm, minisig, manifest },
    ...(keyFile !== undefined ? { keyFile } : {}),
    hasReadme,
    ...(readme ? { readme } : {}),
  };
}

/** The public-key line of a minisign.pub file (the second line), or the text itself when it is just the line. */
export function publicKeyLine(keyFile: string): string {
  const lines = keyFile
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.find((l) => !l.startsWith('untrusted comment:')) ?? '').trim();
}
