// A real HTTP server on 127.0.0.1 standing in for a WXAUTO-MGT registry host, GitHub's REST API (release lists
// typed with @octokit/openapi-types) and the release asset downloads. Routes can be swapped per test.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { components } from '@octokit/openapi-types';
import { runCli, WHARF } from '../../../test/helpers/demo.js';

export type GithubRelease = components['schemas']['release'];
export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export const REPO = resolve(import.meta.dirname, '..', '..', '..');
/** A non-loopback address of this machine: http to it is what an https-only rule must refuse. */
export const EXTERNAL_IPV4 = Object.values(networkInterfaces())
  .flat()
  .find((i) => i?.family === 'IPv4' && !i.internal)?.address;

export const WXAUTO_DIR = '/work/shared/data/wxauto';
export const WXAUTO_REGISTRY = join(WXAUTO_DIR, 'registry.json');
export const HAVE_DATA = existsSync(WXAUTO_REGISTRY);
export const COUNT_VOWELS_WASM = join(REPO, 'examples', 'count-vowels', 'plugin.wasm');

export interface Lab {
  url: string;
  routes: Map<string, Route>;
  /** Paths requested so far, in order. */
  hits: string[];
  /** The Accept header each path was last asked with. */
  accept: Map<string, string>;
  close(): Promise<void>;
}

export async function startLab(host = '127.0.0.1'): Promise<Lab> {
  const routes = new Map<string, Route>();
  const hits: string[] = [];
  const accept = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.push(path);
    accept.set(path, req.headers.accept ?? '');
    const route = routes.get(path);
    if (route) route(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    routes,
    hits,
    accept,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const bytesRoute =
  (body: Uint8Array | string, type = 'application/octet-stream', status = 200): Route =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
  };

export const jsonRoute = (doc: unknown): Route => bytesRoute(JSON.stringify(doc), 'application/json');

/** A GitHub "release" object as the REST API returns it; only assets and tag differ between tests. */
export function githubRelease(
  base: string,
  tag: string,
  assets: Array<{ name: string; path: string; size: number }>,
  extra: Partial<GithubRelease> = {},
): GithubRelease {
  const user = {
    login: 'zhangsan',
    id: 1,
    node_id: 'U_1',
    avatar_url: `${base}/a.png`,
    gravatar_id: null,
    url: `${base}/users/zhangsan`,
    html_url: `${base}/zhangsan`,
    followers_url: '',
    following_url: '',
    gists_url: '',
    starred_url: '',
    subscriptions_url: '',
    organizations_url: '',
    repos_url: '',
    events_url: '',
    received_events_url: '',
    type: 'User',
    site_admin: false,
  };
  return {
    url: `${base}/repos/x/y/releases/1`,
    html_url: `${base}/x/y/releases/tag/${tag}`,
    assets_url: `${base}/repos/x/y/releases/1/assets`,
    upload_url: `${base}/uploads`,
    tarball_url: `${base}/tarball/${tag}`,
    zipball_url: `${base}/zipball/${tag}`,
    id: 1,
    node_id: 'RE_1',
    tag_name: tag,
    target_commitish: 'main',
    name: tag,
    draft: false,
    prerelease: false,
    created_at: '2024-01-10T00:00:00Z',
    published_at: '2024-01-10T00:00:00Z',
    author: user,
    assets: assets.map((a, i) => ({
      url: `${base}/repos/x/y/releases/assets/${i}`,
      browser_download_url: `${base}${a.path}`,
      id: i,
      node_id: `RA_${i}`,
      name: a.name,
      label: null,
      state: 'uploaded',
      content_type: 'application/octet-stream',
      size: a.size,
      digest: null,
      download_count: 0,
      created_at: '2024-01-10T00:00:00Z',
      updated_at: '2024-01-10T00:00:00Z',
      uploader: user,
    })),
    ...extra,
  };
}

export function readWxauto(): Record<string, unknown> & { plugins: Array<Record<string, unknown>> } {
  return JSON.parse(readFileSync(WXAUTO_REGISTRY, 'utf8'));
}

export function tempHome(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-legacy-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The real `wharf` binary, as a user runs it (test/helpers/demo.ts runCli). */
export const wharf = (args: string[], env: Record<string, string> = {}) => runCli(WHARF, args, { env });
