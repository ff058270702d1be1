import { type ErrorCode, isWharfError, type RegistryPlugin, WharfError } from '@wharf/schemas';
import pLimit from 'p-limit';
import { type GiteeApiOptions, giteeGetJson } from '../github/gitee.js';
import type { GitHub } from '../github/octokit.js';
import { addCounts, apiCount } from './api-counts.js';
import { pluginRepos, type RepoLocation, slugOf } from './repo-location.js';

/** One plugin's numbers as its hosts count them now. */
export interface PluginCounts {
  downloads: number;
  stars: number;
  /** Listed releases whose asset the host no longer lists (counted as 0). */
  missing?: string[];
}

export interface StatsFailure {
  plugin_id: string;
  code: ErrorCode;
  message: string;
}

export interface CollectOptions {
  gh: GitHub;
  gitee?: GiteeApiOptions;
  /** Plugins counted at once (default 4: GitHub asks integrators not to fire many concurrent requests). */
  concurrency?: number;
  /** Told after each plugin, for progress on long runs. */
  onProgress?: (done: number, total: number) => void;
}

export interface CollectResult {
  counts: Map<string, PluginCounts>;
  /** Plugins whose numbers could not be read (a repo that 404s, a hostile answer): they keep their old numbers. */
  failed: StatsFailure[];
  /** Plugins with nothing to count: no release, removed, or no GitHub/Gitee repository URL. */
  skipped: { plugin_id: string; reason: string }[];
}

// A plugin with thousands of releases is read 100 at a time until every listed tag is found, at most this many.
const MAX_RELEASE_PAGES = 20;

/**
 * Counts every plugin's downloads (the `artifact.name` asset of each release the registry lists, yanked ones too:
 * those downloads happened; on the primary host plus its Gitee mirror) and the primary repository's stars.
 *
 * A rate limit that throttling could not wait out (E_RATE_LIMITED) stops the whole run: nothing is scheduled
 * after it, the plugins in flight finish, and the error is thrown so the caller writes nothing. The numbers are
 * running totals that the next run reads again in full, so a partial write would gain nothing and would leave the
 * catalog half fresh under one commit. Any other failure is the plugin's own: it keeps its old numbers.
 */
export async function collectStats(plugins: RegistryPlugin[], opts: CollectOptions): Promise<CollectResult> {
  const result: CollectResult = { counts: new Map(), failed: [], skipped: [] };
  const todo: { p: RegistryPlugin; primary: RepoLocation; mirror?: RepoLocation }[] = [];
  for (const p of plugins) {
    const { primary, mirror } = pluginRepos(p);
    if (p.status === 'removed') result.skipped.push({ plugin_id: p.plugin_id, reason: 'removed' });
    else if (p.releases.length === 0) result.skipped.push({ plugin_id: p.plugin_id, reason: 'no release listed' });
    else if (!primary) result.skipped.push({ plugin_id: p.plugin_id, reason: 'no GitHub or Gitee repository URL' });
    else todo.push({ p, primary, ...(mirror ? { mirror } : {}) });
  }
  const limit = pLimit(opts.concurrency ?? 4);
  let stop: WharfError | undefined;
  let done = 0;
  const runs = todo.map((t) =>
    limit(async () => {
      if (stop) return;
      try {
        result.counts.set(t.p.plugin_id, await countPlugin(t.p, t.primary, t.mirror, opts));
      } catch (e) {
        const err = isWharfError(e) ? e : new WharfError('E_SOURCE_UNREACHABLE', String((e as Error).message ?? e));
        if (err.code === 'E_RATE_LIMITED') {
          // Queued plugins return at once (the `if (stop)` above). Not limit.clearQueue(): a cleared task's promise
          // never settles, and Promise.all below would wait forever.
          stop ??= err;
          return;
        }
        result.failed.push({ plugin_id: t.p.plugin_id, code: err.code, message: err.message });
      }
      opts.onProgress?.(++done, todo.length);
    }),
  );
  await Promise.all(runs);
  if (stop) throw stop;
  result.failed.sort((a, b) => (a.plugin_id < b.plugin_id ? -1 : 1));
  return result;
}

async function countPlugin(
  p: RegistryPlugin,
  primary: RepoLocation,
  mirror: RepoLocation | undefined,
  opts: CollectOptions,
): Promise<PluginCounts> {
  const listed = p.releases.map((r) => ({ tag: r.tag, asset: r.artifact.name }));
  const main =
    primary.host === 'github'
      ? await countGitHub(opts.gh, primary, listed, p.repo_id)
      : await countGitee(primary, listed, opts.gitee, p.repo_id);
  let downloads = main.downloads;
  const missing = [...main.missing];
  if (mirror) {
    const m = await giteeDownloads(mirror, listed, opts.gitee);
    downloads = addCounts(downloads, m.downloads);
    missing.push(...m.missing.map((t) => `${t} (mirror)`));
  }
  return { downloads, stars: main.stars, ...(missing.length ? { missing } : {}) };
}

interface Listed {
  tag: string;
  asset: string;
}

const status = (e: unknown) => (typeof e === 'object' && e !== null ? (e as { status?: number }).status : undefined);

function pinned(repoId: number | undefined, id: unknown, slug: string): void {
  if (repoId !== undefined && id !== repoId)
    throw new WharfError(
      'E_REPO_ID_MISMATCH',
      `${slug} now has repository id ${String(id)}, not the pinned ${repoId}: a recreated repository's numbers are not this plugin's.`,
    );
}

async function countGitHub(
  gh: GitHub,
  at: RepoLocation,
  listed: Listed[],
  repoId: number | undefined,
): Promise<{ downloads: number; stars: number; missing: string[] }> {
  const slug = slugOf(at);
  let repo: { id: unknown; stargazers_count: unknown };
  try {
    repo = (await gh.rest.repos.get({ owner: at.owner, repo: at.repo })).data;
  } catch (e) {
    if (status(e) === 404) throw new WharfError('E_NOT_FOUND', `The repository ${slug} does not exist or is private.`);
    throw e;
  }
  pinned(repoId, repo.id, slug);
  const stars = apiCount(repo.stargazers_count, `${slug}'s stargazers_count`);
  const want = new Map(listed.map((l) => [l.tag, l.asset]));
  const found = new Map<string, unknown>();
  let pages = 0;
  await gh.paginate(gh.rest.repos.listReleases, { owner: at.owner, repo: at.repo, per_page: 100 }, (res, done) => {
    for (const rel of res.data) {
      const asset = want.get(rel.tag_name);
      if (asset === undefined || found.has(rel.tag_name)) continue;
      const a = rel.assets.find((x) => x.name === asset);
      if (a) found.set(rel.tag_name, a.download_count);
    }
    if (found.size === want.size || ++pages >= MAX_RELEASE_PAGES) done();
    return [];
  });
  let downloads = 0;
  for (const [tag, n] of found) downloads = addCounts(downloads, apiCount(n, `${slug} ${tag}'s download_count`));
  return { downloads, stars, missing: [...want.keys()].filter((t) => !found.has(t)) };
}

const giteePath = (at: RepoLocation) => `/repos/${encodeURIComponent(at.owner)}/${encodeURIComponent(at.repo)}`;

async function countGitee(
  at: RepoLocation,
  listed: Listed[],
  api: GiteeApiOptions | undefined,
  repoId: number | undefined,
): Promise<{ downloads: number; stars: number; missing: string[] }> {
  const slug = slugOf(at);
  const repo = (await giteeGetJson(giteePath(at), api)) as { id?: unknown; stargazers_count?: unknown } | undefined;
  if (repo === undefined || typeof repo !== 'object' || repo === null)
    throw new WharfError('E_NOT_FOUND', `The Gitee repository ${slug} does not exist or is private.`);
  pinned(repoId, repo.id, `gitee.com/${slug}`);
  const stars = apiCount(repo.stargazers_count, `gitee.com/${slug}'s stargazers_count`);
  return { ...(await giteeDownloads(at, listed, api)), stars };
}

/**
 * Gitee v5 release by tag, one request per listed release. Gitee's asset objects may carry no download_count at
 * all; such an asset counts 0 (Gitee keeps the number to itself), while a present but hostile value is refused.
 */
async function giteeDownloads(
  at: RepoLocation,
  listed: Listed[],
  api: GiteeApiOptions | undefined,
): Promise<{ downloads: number; missing: string[] }> {
  const slug = slugOf(at);
  let downloads = 0;
  const missing: string[] = [];
  let any = false;
  for (const l of listed) {
    const rel = (await giteeGetJson(`${giteePath(at)}/releases/tags/${encodeURIComponent(l.tag)}`, api)) as
      | { assets?: unknown }
      | undefined;
    const assets =
      rel && Array.isArray(rel.assets) ? (rel.assets as { name?: unknown; download_count?: unknown }[]) : [];
    const a = assets.find((x) => typeof x === 'object' && x !== null && x.name === l.asset);
    if (!a) {
      missing.push(l.tag);
      continue;
    }
    any = true;
    if (a.download_count !== undefined)
      downloads = addCounts(downloads, apiCount(a.download_count, `gitee.com/${slug} ${l.tag}'s download_count`));
  }
  if (!any && (await giteeGetJson(giteePath(at), api)) === undefined)
    throw new WharfError('E_NOT_FOUND', `The Gitee repository ${slug} does not exist or is private.`);
  return { downloads, missing };
}
