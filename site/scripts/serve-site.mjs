// A static server for the built site: `node site/scripts/serve-site.mjs [dir] [--port n]`, also used by the
// browser tests and `npm start`. tools' startStaticServer serves registries (no directory index, no JS/CSS
// types, which module scripts require), so the site brings its own ~50 lines on node:http.
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.wasm': 'application/wasm',
};

/** @param {string} root @param {string} urlPath */
async function resolveFile(root, urlPath) {
  let p;
  try {
    p = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (p.includes('\0') || p.split(/[\\/]/).includes('..')) return undefined;
  for (const candidate of [join(root, p), join(root, p, 'index.html')]) {
    try {
      const real = await realpath(candidate);
      if (real !== root && !real.startsWith(root + sep)) return undefined;
      if ((await stat(real)).isFile()) return real;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

/**
 * @param {string} dir the built site
 * @param {{ port?: number, host?: string, base?: string }} [opts] base: the path the site was built for ("/wharf/")
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function serveSite(dir, opts = {}) {
  const root = await realpath(resolve(dir));
  const base = (opts.base ?? '/').replace(/\/?$/, '/');
  const server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    const path = (req.url ?? '/').split(/[?#]/)[0] ?? '/';
    const file = path.startsWith(base) ? await resolveFile(root, `/${path.slice(base.length)}`) : undefined;
    const target = file ?? join(root, '404.html');
    let body;
    try {
      body = await readFile(target);
    } catch {
      return void res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
    res.writeHead(file ? 200 : 404, {
      'Content-Type': TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => ok(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://${host}:${address.port}${base}`,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok(undefined));
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const portAt = args.indexOf('--port');
  const port = portAt >= 0 ? Number(args[portAt + 1]) : 4321;
  const dir = args.find((a, i) => !a.startsWith('--') && i !== portAt + 1) ?? 'dist';
  const s = await serveSite(dir, { port, base: process.env.WHARF_SITE_BASE });
  console.log(`Wharf catalog on ${s.url}`);
}
