// A gzip front for the site server, for the bench: serves what the upstream serves, gzip-compressed when the
// type compresses (as a CDN would), and counts the bytes it sends per path, so "bytes fetched before the first
// result" is what went over the wire. Pagefind's .pf_* files are gzip already and pass through as they are.
import { createServer, request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';

const COMPRESS = /^(text\/|application\/(json|javascript|xml|wasm))/;

/**
 * @param {string} upstream e.g. http://127.0.0.1:1234/
 * @returns {Promise<{ url: string, log: Array<{ path: string, bytes: number, at: number }>, close(): Promise<void> }>}
 */
export async function gzipProxy(upstream) {
  /** @type {Array<{ path: string, bytes: number, at: number }>} */
  const log = [];
  const up = new URL(upstream);
  const server = createServer((req, res) => {
    const fwd = httpRequest(
      { host: up.hostname, port: up.port, path: req.url, method: req.method, headers: { accept: '*/*' } },
      (r) => {
        const chunks = [];
        r.on('data', (c) => chunks.push(c));
        r.on('end', () => {
          let body = Buffer.concat(chunks);
          const type = String(r.headers['content-type'] ?? '');
          const headers = { 'content-type': type, 'cache-control': 'no-cache' };
          if (COMPRESS.test(type) && (req.headers['accept-encoding'] ?? '').includes('gzip')) {
            body = gzipSync(body, { level: 6 });
            headers['content-encoding'] = 'gzip';
          }
          headers['content-length'] = String(body.length);
          // `at`: epoch ms, to set against the page's clock (same machine).
          log.push({
            path: (req.url ?? '').split('?')[0] ?? '',
            bytes: body.length,
            at: performance.timeOrigin + performance.now(),
          });
          res.writeHead(r.statusCode ?? 502, headers).end(body);
        });
      },
    );
    fwd.on('error', () => res.writeHead(502).end());
    fwd.end();
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(undefined)));
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok(undefined));
      }),
  };
}
