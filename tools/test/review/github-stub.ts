// biome-ignore-all lint/suspicious/noAssignInExpressions: a regex router reads best as if ((m = re.exec(path)))
// A local HTTP stand-in for the GitHub REST endpoints the bot calls (and Gitee v5's release-by-tag), typed with
// @octokit/openapi-types so a response shape that drifts from GitHub's fails to compile.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { components } from '@octokit/openapi-types';

type S = components['schemas'];
type Repo = Pick<S['full-repository'], 'id' | 'name' | 'full_name' | 'html_url' | 'private'> & {
  owner: Pick<S['simple-user'], 'id' | 'login'>;
  license: Pick<NonNullable<S['full-repository']['license']>, 'spdx_id' | 'key' | 'name'> | null;
};
type Release = Pick<S['release'], 'id' | 'tag_name' | 'html_url' | 'draft' | 'prerelease' | 'name'> & {
  assets: Pick<S['release-asset'], 'id' | 'name' | 'size' | 'browser_download_url' | 'url'>[];
};
type Issue = Pick<S['issue'], 'id' | 'number' | 'title' | 'body' | 'state' | 'html_url'> & {
  labels: Pick<S['label'], 'name'>[];
  user: Pick<S['simple-user'], 'id' | 'login'>;
  state_reason?: string | null;
};
type Comment = Pick<S['issue-comment'], 'id' | 'body' | 'created_at' | 'updated_at' | 'html_url'> & {
  user: Pick<S['simple-user'], 'id' | 'login' | 'type'>;
};
type ContentFile = Pick<S['content-file'], 'type' | 'encoding' | 'size' | 'name' | 'path' | 'content' | 'sha'>;
type BasicError = S['basic-error'];

/**
 * A rate limit the stand-in answers with, as GitHub does: `secondary` is a 403 (or 429) whose message names the
 * secondary rate limit, with retry-after; `primary` is a 403 (or 429) with x-ratelimit-remaining 0 and
 * x-ratelimit-reset (epoch seconds).
 */
export interface RateLimitFault {
  /** Matches `${method} ${path}`, e.g. /^GET \/repos\/wharf\/market\/issues\/1$/. */
  match: RegExp;
  kind: 'secondary' | 'primary';
  status?: 403 | 429;
  /** secondary: the retry-after seconds; primary: seconds until x-ratelimit-reset. */
  after: number;
  /** How many matching requests get the limit (default 1). */
  times?: number;
}

export interface StubUser {
  id: number;
  login: string;
  type?: string;
}

export interface StubRepo {
  id: number;
  owner: StubUser;
  license?: string;
  /** tag → files in the repo at that tag (minisign.pub, README.md …). */
  trees: Record<string, Record<string, string>>;
  /** tag → asset name → bytes. */
  releases: Record<string, Record<string, Uint8Array>>;
  /** Gitee mirror of the same releases (served under /gitee). */
  gitee?: Record<string, Record<string, Uint8Array>>;
}

export const BOT: StubUser = { id: 41898282, login: 'github-actions[bot]', type: 'Bot' };

export class GitHubStub {
  server!: Server;
  url = '';
  repos = new Map<string, StubRepo>();
  issues = new Map<string, Issue & { comments: Comment[] }>();
  /** Bearer token → user; requests without a known token act as the bot. */
  tokens = new Map<string, StubUser>([['bot-token', BOT]]);
  requests: string[] = [];
  /** When each request arrived (ms since the epoch), parallel to `requests`. */
  requestTimes: number[] = [];
  faults: RateLimitFault[] = [];
  private nextId = 1000;

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

  openIssue(slug: string, body: string, author: StubUser = { id: 5001, login: 'author' }): number {
    const number = [...this.issues.keys()].filter((k) => k.startsWith(`${slug}#`)).length + 1;
    this.issues.set(`${slug}#${number}`, {
      id: this.nextId++,
      number,
      title: '[plugin] submission',
      body,
      state: 'open',
      html_url: `https://github.com/${slug}/issues/${number}`,
      labels: [{ name: 'plugin-submission' }, { name: 'needs-review' }],
      user: author,
      comments: [],
    });
    return number;
  }

  issue(slug: string, n: number): Issue & { comments: Comment[] } {
    const i = this.issues.get(`${slug}#${n}`);
    if (!i) throw new Error(`no issue ${slug}#${n}`);
    return i;
  }

  labels(slug: string, n: number): string[] {
    return this.issue(slug, n)
      .labels.map((l) => l.name)
      .sort();
  }

  addComment(slug: string, n: number, user: StubUser, body: string): Comment {
    const now = new Date().toISOString();
    const c: Comment = {
      id: this.nextId++,
      body,
      user: { id: user.id, login: user.login, type: user.type ?? 'User' },
      created_at: now,
      updated_at: now,
      html_url: `https://github.com/${slug}/issues/${n}#issuecomment`,
    };
    this.issue(slug, n).comments.push(c);
    return c;
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const data = body instanceof Uint8Array ? body : Buffer.from(JSON.stringify(body));
    res.writeHead(status, {
      'content-type': body instanceof Uint8Array ? 'application/octet-stream' : 'application/json; charset=utf-8',
      'content-length': String(data.length),
      ...headers,
    });
    res.end(data);
  }

  private async body(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }

  private repoJson(slug: string, r: StubRepo): Repo {
    return {
      id: r.id,
      name: slug.split('/')[1] as string,
      full_name: slug,
      html_url: `https://github.com/${slug}`,
      private: false,
      owner: { id: r.owner.id, login: r.owner.login },
      license: r.license ? { spdx_id: r.license, key: r.license.toLowerCase(), name: r.license } : null,
    };
  }

  private releaseJson(slug: string, tag: string, assets: Record<string, Uint8Array>, base: string): Release {
    return {
      id: 1,
      tag_name: tag,
      name: tag,
      html_url: `https://github.com/${slug}/releases/tag/${tag}`,
      draft: false,
      prerelease: false,
      assets: Object.entries(assets).map(([name, bytes], i) => ({
        id: i + 1,
        name,
        size: bytes.length,
        url: `${this.url}/repos/${slug}/releases/assets/${i + 1}`,
        browser_download_url: `${this.url}${base}/${slug}/releases/download/${tag}/${name}`,
      })),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', this.url);
    const path = decodeURIComponent(u.pathname);
    const method = req.method ?? 'GET';
    this.requests.push(`${method} ${path}`);
    this.requestTimes.push(Date.now());
    const fault = this.faults.find((f) => (f.times ?? 1) > 0 && f.match.test(`${method} ${path}`));
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      const body: BasicError =
        fault.kind === 'secondary'
          ? {
              message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
              documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
            }
          : {
              message: 'API rate limit exceeded for installation.',
              documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
            };
      const headers: Record<string, string> =
        fault.kind === 'secondary'
          ? { 'retry-after': String(fault.after) }
          : {
              'x-ratelimit-limit': '5000',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-used': '5000',
              'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + fault.after),
            };
      return this.send(res, fault.status ?? 403, body, headers);
    }
    const user = this.tokens.get((req.headers.authorization ?? '').replace(/^(token|bearer) /i, '')) ?? BOT;
    let m: RegExpExecArray | null;

    if ((m = /^\/(gitee\/)?download\/([^/]+\/[^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/.exec(path))) {
      const r = this.repos.get(m[2] as string);
      const set = m[1] ? r?.gitee : r?.releases;
      const bytes = set?.[m[3] as string]?.[m[4] as string];
      return bytes ? this.send(res, 200, bytes) : this.send(res, 404, { message: 'Not Found' });
    }
    if ((m = /^\/gitee\/api\/v5\/repos\/([^/]+\/[^/]+)\/releases\/tags\/([^/]+)$/.exec(path))) {
      const assets = this.repos.get(m[1] as string)?.gitee?.[m[2] as string];
      if (!assets) return this.send(res, 404, { message: 'Not Found' });
      return this.send(res, 200, this.releaseJson(m[1] as string, m[2] as string, assets, '/gitee/download'));
    }
    if (!(m = /^\/repos\/([^/]+\/[^/]+)(\/.*)?$/.exec(path))) return this.send(res, 404, { message: 'Not Found' });
    const slug = m[1] as string;
    const rest = m[2] ?? '';
    const repo = this.repos.get(slug);
    let k: RegExpExecArray | null;

    if (rest === '' && method === 'GET')
      return repo ? this.send(res, 200, this.repoJson(slug, repo)) : this.send(res, 404, { message: 'Not Found' });
    if ((k = /^\/releases\/tags\/(.+)$/.exec(rest))) {
      const assets = repo?.releases[k[1] as string];
      return assets
        ? this.send(res, 200, this.releaseJson(slug, k[1] as string, assets, '/download'))
        : this.send(res, 404, { message: 'Not Found' });
    }
    if ((k = /^\/contents\/(.+)$/.exec(rest)) || rest === '/readme') {
      const tree = repo?.trees[u.searchParams.get('ref') ?? ''] ?? {};
      const name = k ? (k[1] as string) : Object.keys(tree).find((f) => /^readme/i.test(f));
      const text = name !== undefined ? tree[name] : undefined;
      if (text === undefined || name === undefined) return this.send(res, 404, { message: 'Not Found' });
      const file: ContentFile = {
        type: 'file',
        encoding: 'base64',
        size: Buffer.byteLength(text),
        name,
        path: name,
        sha: '0'.repeat(40),
        content: Buffer.from(text).toString('base64'),
      };
      return this.send(res, 200, file);
    }
    if (rest === '/issues' && method === 'GET') {
      const want = (u.searchParams.get('labels') ?? '').split(',').filter(Boolean);
      const state = u.searchParams.get('state') ?? 'open';
      const list = [...this.issues.entries()]
        .filter(([key, i]) => key.startsWith(`${slug}#`) && (state === 'all' || i.state === state))
        .map(([, i]) => i)
        .filter((i) => want.every((l) => i.labels.some((x) => x.name === l)))
        .map(({ comments: _c, ...i }) => i);
      return this.send(res, 200, list);
    }
    if ((k = /^\/issues\/comments\/(\d+)$/.exec(rest)) && method === 'PATCH') {
      const id = Number(k[1]);
      const body = await this.body(req);
      for (const i of this.issues.values()) {
        const c = i.comments.find((x) => x.id === id);
        if (c) {
          if (c.user.id !== user.id) return this.send(res, 403, { message: 'Forbidden' });
          c.body = String(body.body);
          c.updated_at = new Date().toISOString();
          return this.send(res, 200, c);
        }
      }
      return this.send(res, 404, { message: 'Not Found' });
    }
    if (!(k = /^\/issues\/(\d+)(\/.*)?$/.exec(rest))) return this.send(res, 404, { message: 'Not Found' });
    const n = Number(k[1]);
    const issue = this.issues.get(`${slug}#${n}`);
    if (!issue) return this.send(res, 404, { message: 'Not Found' });
    const sub = k[2] ?? '';
    if (sub === '' && method === 'GET') {
      const { comments: _c, ...i } = issue;
      return this.send(res, 200, i);
    }
    if (sub === '' && method === 'PATCH') {
      const body = await this.body(req);
      if (body.state === 'open' || body.state === 'closed') issue.state = body.state;
      if (typeof body.state_reason === 'string') issue.state_reason = body.state_reason;
      const { comments: _c, ...i } = issue;
      return this.send(res, 200, i);
    }
    if (sub === '/comments' && method === 'GET') {
      const page = Number(u.searchParams.get('page') ?? '1');
      const per = Number(u.searchParams.get('per_page') ?? '30');
      return this.send(res, 200, issue.comments.slice((page - 1) * per, page * per));
    }
    if (sub === '/comments' && method === 'POST') {
      const body = await this.body(req);
      return this.send(res, 201, this.addComment(slug, n, user, String(body.body)));
    }
    if (sub === '/labels' && method === 'POST') {
      const body = await this.body(req);
      for (const l of (body.labels as string[]) ?? [])
        if (!issue.labels.some((x) => x.name === l)) issue.labels.push({ name: l });
      return this.send(res, 200, issue.labels);
    }
    if ((k = /^\/labels\/(.+)$/.exec(sub)) && method === 'DELETE') {
      const before = issue.labels.length;
      issue.labels = issue.labels.filter((x) => x.name !== k?.[1]);
      return before === issue.labels.length
        ? this.send(res, 404, { message: 'Label does not exist' })
        : this.send(res, 200, issue.labels);
    }
    return this.send(res, 404, { message: 'Not Found' });
  }
}
