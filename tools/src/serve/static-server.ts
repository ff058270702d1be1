// A read-only static server on node:http. About 60 lines is cheaper to audit than a dependency, and we need
// exactly: GET/HEAD, content types for a registry and the static catalog, directory index.html, strong ETags
// with 304s, no path traversal, and a site's own 404.html for what is not there (as static hosts serve it).
import { createHash } from 'node:crypto';
import { open, readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface StaticServerOptions {
  port?: number; // 0 or absent: a random free port
  host?: string; // default 127.0.0.1
  /** Extra trees, e.g. { '/artifacts/': 'examples' }. Longest prefix wins; the root dir serves the rest. */
  mounts?: Record<string, string>;
}

export interface StaticServer {
  url: string; // no trailing slash
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.minisig': 'text/plain; charset=utf-8',
  '.pub': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  // The catalog site: browsers refuse module scripts served as octet-stream.
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.xml': 'application/xml',
};

/** Maps a URL path onto a file under one of the roots, or undefined if it would escape it. */
async function resolveFile(roots: Array<[string, string]>, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  // Refuse rather than normalise: "/a/../b" has no business in a static index, and NUL never does.
  if (decoded.includes('\0') || decoded.split(/[\\/]/).includes('..')) return undefined;
  const entry = roots.find(([prefix]) => decoded.startsWith(prefix));
  if (!entry) return undefined;
  const [prefix, root] = entry;
  const candidate = resolve(join(root, decoded.slice(prefix.length)));
  try {
    // realpath too, so a symlink inside the tree cannot point outside it.
    let real = await realpath(candidate);
    if (real !== root && !real.startsWith(root + sep)) return undefined;
    if ((await stat(real)).isDirectory()) real = await realpath(join(real, 'index.html'));
    if (real !== root && !real.startsWith(root + sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

const NOT_FOUND = Buffer.from('not found\n');

// ETags by file, while the file is the one they were computed from (inode, size, ctime and mtime in ns: any write
// or rename moves them): hashing a 10 MB artifact on every request delayed its first byte by ~13 ms, more than the
// transfer, and reading it whole before sending by 3-25 ms more. Bounded: a server of a 100k-plugin tree forgets
// them all past ETAG_CACHE_MAX files and starts over.
const ETAG_CACHE_MAX = 50_000;
const etags = new Map<string, { stamp: string; etag: string }>();

/**
 * Send a file with its strong ETag (sha256), its bytes and its stamp read through one descriptor. A file whose ETag
 * is known for its stamp is streamed: its first byte no longer waits for the whole file to be read.
 */
async function sendFile(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
  const fh = await open(file, 'r');
  let streaming = false;
  try {
    const st = await fh.stat({ bigint: true });
    const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    const known = etags.get(file);
    const body = known?.stamp === stamp ? undefined : await fh.readFile();
    let etag = known?.etag as string;
    if (body) {
      etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      if (etags.size >= ETAG_CACHE_MAX) etags.clear();
      etags.set(file, { stamp, etag });
    }
    const headers = {
      'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      ETag: etag,
      'Cache-Control': 'no-cache',
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': body ? body.length : Number(st.size) });
    if (req.method === 'HEAD') res.end();
    else if (body) res.end(body);
    else {
      // The stream closes the descriptor; a client that goes away mid-body ends it (the socket is destroyed).
      streaming = true;
      await pipeline(fh.createReadStream({ autoClose: true }), res).catch(() => res.destroy());
    }
  } finally {
    if (!streaming) await fh.close();
  }
}

export async function startStaticServer(dir: string, opts: StaticServerOptions = {}): Promise<StaticServer> {
  const roots: Array<[string, string]> = [];
  for (const [prefix, d] of Object.entries(opts.mounts ?? {})) {
    roots.push([prefix.endsWith('/') ? prefix : `${prefix}/`, await realpath(resolve(d))]);
  }
  roots.sort((a, b) => b[0].length - a[0].length);
  roots.push(['/', await realpath(resolve(dir))]);
  // A built site has one at its root; a registry tree has none and keeps the plain-text 404.
  const notFoundPage = join((roots.at(-1) as [string, string])[1], '404.html');

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    // The raw request path, not `new URL(...).pathname`: URL parsing folds "/../" and would hide the attempt.
    const rawPath = (req.url ?? '/').split(/[?#]/)[0] ?? '/';
    const file = await resolveFile(roots, rawPath);
    if (!file) {
      const page = await readFile(notFoundPage).catch(() => undefined);
      if (!page) {
        // With its length, as static hosts send it: a client can keep the connection for its next request.
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': NOT_FOUND.length });
        res.end(NOT_FOUND);
        return;
      }
      res.writeHead(404, {
        'Content-Type': TYPES['.html'],
        'Content-Length': page.length,
        'Cache-Control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : page);
      return;
    }
    await sendFile(req, res, file);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.closeAllConnections();
        server.close((e) => (e ? fail(e) : ok()));
      }),
  };
}
