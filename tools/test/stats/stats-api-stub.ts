// biome-ignore-all lint/suspicious/noAssignInExpressions: a regex router reads best as if ((m = re.exec(path)))
// A local HTTP stand-in for the GitHub and Gitee endpoints `wharf-admin stats` reads, and only those: a repository
// (stargazers_count) and its releases (assets with download_count), on 127.0.0.1. The GitHub shapes are typed with
// @octokit/openapi-types, so an answer that drifts from GitHub's fails to compile. Gitee v5 answers the same way.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { components } from '@octokit/openapi-types';
import type { RateLimitFault } from '../review/github-stub.js';

type S = components['schemas'];
type Repo = Pick<S['full-repository'], 'id' | 'name' | 'full_name' | 'html_url' | 'private' | 'stargazers_count'>;
type Asset = Pick<S['release-asset'], 'id' | 'name' | 'size' | 'download_count' | 'browser_download_url' | 'url'>;
type Release = Pick<S['release'], 'id' | 'tag_name' | 'html_url' | 'draft' | 'prerelease' | 'name'> & {
  assets: Asset[];
};

export interface CountedRepo {
  id: number;
  stars: number;
  /** tag → asset name → download count. */
  releases: Record<string, Record<string, number>>;
}

/** Faults match `${method} ${path}`; Gitee paths start with /gitee/api/v5. */
export type StatsFault = RateLimitFault;

export class StatsApiStub {
  server!: Server;
  url = '';
  github = new Map<string, CountedRepo>();
  gitee = new Map<string, CountedRepo>();
  /** `${method} ${path}` → a JSON body (or its text) answered instead of the real one (hostile values). */
  raw = new Map<string, unknown>();
  faults: StatsFault[] = [];
  requests: string[] = [];
  requestTimes: number[] = [];

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e) => this.send(res, 500, { message: String(e) }));
    });
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((ok) => this.server.close(() => ok()));
  }

  get giteeApi(): string {
    return `${this.url}/gitee/api/v5`;
  }

  /** Requests for `path` (exact), e.g. 'GET /repos/alice/greet'. */
  hits(request: string): number[] {
    return this.requests.flatMap((r, i) => (r === request ? [this.requestTimes[i] as number] : []));
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    // A string is sent as the body itself: JSON.stringify can't write 1e400 (it makes null).
    const data = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(data.length),
      ...headers,
    });
    res.end(data);
  }

  private repoJson(slug: string, r: CountedRepo, host: string): Repo {
    return {
      id: r.id,
      name: slug.split('/')[1] as string,
      full_name: slug,
      html_url: `https://${host}/${slug}`,
      private: false,
      stargazers_count: r.stars,
    };
  }

  private releaseJson(slug: string, tag: string, assets: Record<string, number>, host: string): Release {
    return {
      id: 1,
      tag_name: tag,
      name: tag,
      html_url: `https://${host}/${slug}/releases/tag/${tag}`,
      draft: false,
      prerelease: false,
      assets: Object.entries(assets).map(([name, count], i) => ({
        id: i + 1,
        name,
        size: 100,
        download_count: count,
        url: `${this.url}/repos/${slug}/releases/assets/${i + 1}`,
        browser_download_url: `https://${host}/${slug}/releases/download/${tag}/${name}`,
      })),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', this.url);
    const path = decodeURIComponent(u.pathname);
    const method = req.method ?? 'GET';
    const key = `${method} ${path}`;
    this.requests.push(key);
    this.requestTimes.push(Date.now());
    const fault = this.faults.find((f) => (f.times ?? 1) > 0 && f.match.test(key));
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      const headers: Record<string, string> =
        fault.kind === 'secondary'
          ? { 'retry-after': String(fault.after) }
          : {
              'x-ratelimit-limit': '5000',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + fault.after),
            };
      const message =
        fault.kind === 'secondary' ? 'You have exceeded a secondary rate limit.' : 'API rate limit exceeded.';
      return this.send(res, fault.status ?? 403, { message }, headers);
    }
    if (this.raw.has(key)) return this.send(res, 200, this.raw.get(key));
    let m: RegExpExecArray | null;
    const gitee = path.startsWith('/gitee/api/v5/');
    const rest = gitee ? path.slice('/gitee/api/v5'.length) : path;
    const repos = gitee ? this.gitee : this.github;
    const host = gitee ? 'gitee.com' : 'github.com';
    if (method !== 'GET' || !(m = /^\/repos\/([^/]+\/[^/]+)(\/.*)?$/.exec(rest)))
      return this.send(res, 404, { message: 'Not Found' });
    const slug = m[1] as string;
    const repo = repos.get(slug);
    const sub = m[2] ?? '';
    if (!repo) return this.send(res, 404, { message: 'Not Found' });
    if (sub === '') return this.send(res, 200, this.repoJson(slug, repo, host));
    if (sub === '/releases' && !gitee) {
      const page = Number(u.searchParams.get('page') ?? '1');
      const per = Number(u.searchParams.get('per_page') ?? '30');
      const all = Object.entries(repo.releases).map(([tag, a]) => this.releaseJson(slug, tag, a, host));
      const pages = Math.max(1, Math.ceil(all.length / per));
      // GitHub's Link header, which Octokit's paginate follows.
      const link =
        page < pages
          ? { link: `<${this.url}/repos/${slug}/releases?per_page=${per}&page=${page + 1}>; rel="next"` }
          : {};
      return this.send(res, 200, all.slice((page - 1) * per, page * per), link);
    }
    let k: RegExpExecArray | null;
    if ((k = /^\/releases\/tags\/([^/]+)$/.exec(sub))) {
      const assets = repo.releases[k[1] as string];
      return assets
        ? this.send(res, 200, this.releaseJson(slug, k[1] as string, assets, host))
        : this.send(res, 404, { message: 'Not Found' });
    }
    return this.send(res, 404, { message: 'Not Found' });
  }
}
