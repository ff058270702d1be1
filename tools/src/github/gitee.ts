import { WharfError } from '@wharf/schemas';
import { downloadCapped, sha256Hex } from './fetch-release.js';

export const GITEE_API = 'https://gitee.com/api/v5';

interface GiteeRelease {
  tag_name: string;
  assets: { name: string; browser_download_url: string }[];
}

/**
 * Gitee v5: GET /repos/{owner}/{repo}/releases/tags/{tag}. Returns the mirror's download URL for `assetName` when
 * that asset's bytes hash to `sha256`, so a mirror URL only enters the registry once it serves the reviewed bytes.
 */
export async function giteeMirrorUrl(
  slug: string,
  tag: string,
  assetName: string,
  sha256: string,
  opts: { apiBase?: string; cap: number },
): Promise<string> {
  const base = (opts.apiBase ?? GITEE_API).replace(/\/$/, '');
  const [owner, repo] = slug.split('/') as [string, string];
  const url = `${base}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/releases/tags/${encodeURIComponent(tag)}`;
  let rel: GiteeRelease;
  try {
    rel = JSON.parse(Buffer.from(await downloadCapped(url, 1024 * 1024)).toString('utf8')) as GiteeRelease;
  } catch (e) {
    throw new WharfError('E_NOT_FOUND', `Gitee has no release ${tag} for ${slug}: ${(e as Error).message}`);
  }
  const asset = rel.assets?.find((a) => a.name === assetName);
  if (!asset) throw new WharfError('E_NOT_FOUND', `The Gitee release ${tag} of ${slug} has no asset ${assetName}.`);
  const bytes = await downloadCapped(asset.browser_download_url, opts.cap);
  if (sha256Hex(bytes) !== sha256)
    throw new WharfError('E_DIGEST_CHANGED', `The Gitee mirror's ${assetName} differs from the GitHub release.`);
  return asset.browser_download_url;
}
