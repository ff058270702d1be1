// Release resolution for legacy entries: their index pins nothing, so the version list comes from the
// plugin's releases_url (the GitHub REST "list releases" endpoint, or Gitee's look-alike on the mirror).
import { checkUrl, type RegistryPlugin, releasesApiUrl, WharfError } from '@wharf/schemas';
import lte from 'semver/functions/lte.js';
import prerelease from 'semver/functions/prerelease.js';
import satisfies from 'semver/functions/satisfies.js';
import valid from 'semver/functions/valid.js';
import minVersion from 'semver/ranges/min-version.js';
import validRange from 'semver/ranges/valid.js';
import { DEFAULT_LIMITS, FetchFailure, type FetchLimits } from '../index/http-fetch.js';
import { fetchLegacyBytes } from './https-fetch.js';

/** A page of 100 releases with their asset lists is a few hundred KB on GitHub. */
export const MAX_RELEASES_BYTES = 8 * 1024 * 1024;
export const WASM_ASSET = 'plugin.wasm';
export const MINISIG_ASSET = 'plugin.wasm.minisig';
const GITHUB_API = 'https://api.github.com';

/**
 * The fields read from GitHub's `components["schemas"]["release"]` (@octokit/openapi-types); the tests serve
 * objects of that full type. Gitee's v5 releases have the same names for these.
 */
export interface ReleaseJson {
  tag_name: string;
  draft?: boolean;
  prerelease?: boolean;
  published_at?: string | null;
  created_at?: string;
  /** `digest` ('sha256:<hex>') is set by GitHub on assets uploaded since mid-2025. */
  assets?: Array<{ name: string; browser_download_url: string; size?: number; digest?: string | null }>;
}

export interface LegacyRelease {
  version: string;
  tag: string;
  published_at: string;
  /** sha256 is the asset's GitHub digest when listed: a consistency check only, the answer is unsigned. */
  wasm: { url: string; size?: number; sha256?: string };
  minisig?: { url: string };
  /** The releases_url that answered (after any API base rewrite). */
  from: string;
}

export interface ReleaseLookupOptions {
  limits?: FetchLimits;
  /** Where GitHub's REST API lives (Octokit's baseUrl); default $WHARF_GITHUB_API_URL or api.github.com. */
  githubApiUrl?: string;
}

/** `X.Y.Z` or `vX.Y.Z` (a SemVer prerelease suffix allowed); any other tag is not a version. */
export function versionFromTag(tag: string): string | undefined {
  const m = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(tag);
  return m && valid(m[1]) ? (m[1] as string) : undefined;
}

/** releases_url on api.github.com, pointed at another API base (a GitHub Enterprise host, or a test server). */
export function rebaseReleasesUrl(url: string, apiBase: string | undefined): string {
  if (!apiBase || !url.startsWith(`${GITHUB_API}/`)) return url;
  checkUrl(apiBase, { allowLoopback: true, field: 'GitHub API URL' });
  return `${apiBase.replace(/\/+$/, '')}${url.slice(GITHUB_API.length)}`;
}

/**
 * Fetch the plugin's releases (primary releases_url, then the mirror's) and pick the highest version that
 * satisfies `range`, is neither a draft nor (unless the range names one) a prerelease, and has a plugin.wasm.
 */
export async function resolveLegacyRelease(
  plugin: RegistryPlugin,
  range: string | undefined,
  opts: ReleaseLookupOptions = {},
): Promise<LegacyRelease> {
  const r = range || '*';
  if (r !== '*' && !validRange(r))
    throw new WharfError('E_USAGE', `"${r}" is not a SemVer range (try ^1, ~1.2 or 1.2.3).`);
  const apiBase = opts.githubApiUrl ?? process.env.WHARF_GITHUB_API_URL;
  const urls = [plugin.repository.primary.releases_url, plugin.repository.mirror?.releases_url]
    .filter((u): u is string => typeof u === 'string')
    // A releases_url naming the HTML page (older Wharf exports) is read as the REST list it stands for.
    .map((u) => rebaseReleasesUrl(releasesApiUrl(u), apiBase));
  if (urls.length === 0)
    throw new WharfError('E_NOT_FOUND', `${plugin.plugin_id} lists no releases_url, so it has nothing to install.`);
  const failures: string[] = [];
  for (const url of urls) {
    let list: ReleaseJson[];
    try {
      // GitHub's documented REST media type (Gitee ignores it). No token is sent: release lists are public.
      const headers = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
      const limits = opts.limits ?? DEFAULT_LIMITS;
      list = parseReleases(await fetchLegacyBytes(pageUrl(url), limits, MAX_RELEASES_BYTES, headers), url);
    } catch (e) {
      failures.push(`${url}: ${(e as Error).message}`);
      continue;
    }
    return pickRelease(plugin.plugin_id, list, r, url);
  }
  throw new WharfError(
    'E_ALL_MIRRORS_FAILED',
    `Could not list the releases of ${plugin.plugin_id}:\n${failures.map((f) => `  ${f}`).join('\n')}`,
    { failures },
  );
}

function pageUrl(url: string): string {
  const u = new URL(url);
  if (!u.searchParams.has('per_page')) u.searchParams.set('per_page', '100');
  return u.toString();
}

function parseReleases(bytes: Uint8Array, url: string): ReleaseJson[] {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new FetchFailure('not JSON', `${url} did not serve JSON`);
  }
  if (!Array.isArray(doc)) throw new FetchFailure('not JSON', `${url} did not serve a list of releases`);
  return doc.filter(
    (x): x is ReleaseJson => x !== null && typeof x === 'object' && typeof (x as ReleaseJson).tag_name === 'string',
  );
}

export function pickRelease(id: string, list: ReleaseJson[], range: string, from: string): LegacyRelease {
  const includePrerelease = prerelease(minVersion(range) ?? '0.0.0') !== null;
  const seen: string[] = [];
  const noAsset: string[] = [];
  let best: LegacyRelease | undefined;
  for (const rel of list) {
    const version = versionFromTag(rel.tag_name);
    if (!version || rel.draft === true) continue;
    seen.push(rel.tag_name);
    if (rel.prerelease === true && !includePrerelease) continue;
    if (!satisfies(version, range, { includePrerelease })) continue;
    const assets = Array.isArray(rel.assets) ? rel.assets : [];
    const wasm = assets.find((a) => a?.name === WASM_ASSET && typeof a.browser_download_url === 'string');
    if (!wasm) {
      noAsset.push(rel.tag_name);
      continue;
    }
    if (best && lte(version, best.version)) continue;
    const sig = assets.find((a) => a?.name === MINISIG_ASSET && typeof a.browser_download_url === 'string');
    best = {
      version,
      tag: rel.tag_name,
      published_at: rel.published_at ?? rel.created_at ?? new Date(0).toISOString(),
      wasm: {
        url: wasm.browser_download_url,
        size: typeof wasm.size === 'number' ? wasm.size : undefined,
        sha256: /^sha256:[0-9a-f]{64}$/.exec(wasm.digest ?? '') ? wasm.digest?.slice(7) : undefined,
      },
      minisig: sig ? { url: sig.browser_download_url } : undefined,
      from,
    };
  }
  if (best) {
    // Asset URLs come from an unsigned answer: https only (loopback http for local registries and tests).
    checkUrl(best.wasm.url, { allowLoopback: true, field: `${id} ${WASM_ASSET} URL` });
    if (best.minisig) checkUrl(best.minisig.url, { allowLoopback: true, field: `${id} ${MINISIG_ASSET} URL` });
    return best;
  }
  const why = noAsset.length
    ? ` Releases ${noAsset.join(', ')} match but have no ${WASM_ASSET} asset (WXAUTO-MGT plugins are Python; only Extism builds install).`
    : '';
  throw new WharfError(
    'E_NO_MATCHING_VERSION',
    `No release of ${id} matches ${range} (tags: ${seen.join(', ') || 'none'}).${why}`,
  );
}
