// What the fetch path does with the body of an error reply, against real servers on 127.0.0.1: a short one is
// drained and its keep-alive socket serves the next request, even one sent as soon as the error is reported (a no-change refresh asks for a next root that is a
// 404 by design), whether its length is declared or it comes chunked; a long one is cut off.
import { once } from 'node:events';
import { globalAgent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, FetchFailure, fetchBytes } from '../../src/index/http-fetch.js';
import { closeLoopbackServers, serveLoopback } from './loopback-server.js';

afterEach(closeLoopbackServers);

/** `handle` answers everything but /ok, which is a plain 200 for the request after the error reply. */
const serve = (handle: (req: IncomingMessage, res: ServerResponse) => void) =>
  serveLoopback((req, res) => (req.url === '/ok' ? res.end('{"ok":true}') : handle(req, res)));

const limits = { ...DEFAULT_LIMITS, headersTimeoutMs: 10_000 };

async function failure(p: Promise<unknown>): Promise<FetchFailure> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof FetchFailure)) throw new Error(`expected a FetchFailure, got ${String(e)}`);
  return e;
}

describe('error replies', () => {
  for (const [what, handle] of [
    [
      'a declared length',
      (_q: IncomingMessage, res: ServerResponse) =>
        res.writeHead(404, { 'content-length': 10, 'content-type': 'text/plain' }).end('not found\n'),
    ],
    ['no length (chunked)', (_q: IncomingMessage, res: ServerResponse) => res.writeHead(404).end('not found\n')],
  ] as const) {
    it(`drains a short 404 with ${what}, and its socket goes back to the agent`, async () => {
      const s = await serve(handle);
      // Which comes first for the socket the 404 came on: the agent taking it back (drained) or its close.
      const fate = Promise.race([
        once(globalAgent, 'free').then(() => 'kept'),
        s.connected.then((c) => once(c, 'close')).then(() => 'closed'),
      ]);
      expect((await failure(fetchBytes(`${s.url}/2.root.json`, limits, 1 << 20))).status).toBe(404);
      expect(await fate).toBe('kept');
      expect((await fetchBytes(`${s.url}/ok`, limits, 1 << 20)).toString()).toBe('{"ok":true}');
      expect(s.sockets).toHaveLength(1);
    });

    it(`a request sent the moment a short 404 with ${what} is reported goes out on its connection`, async () => {
      const s = await serve(handle);
      // As a no-change refresh asks for the timestamp as soon as the next root is found missing: no wait between.
      const next = failure(fetchBytes(`${s.url}/2.root.json`, limits, 1 << 20)).then(() =>
        fetchBytes(`${s.url}/ok`, limits, 1 << 20),
      );
      expect((await next).toString()).toBe('{"ok":true}');
      expect(s.sockets).toHaveLength(1);
    });
  }

  it('cuts off a chunked error body once it passes 16 KiB, and the next request connects anew', async () => {
    const s = await serve((_q, res) => {
      res.writeHead(404);
      // Never ends: only the client's cut-off closes this socket.
      const more = () => res.write(Buffer.alloc(8192, 0x61), () => setImmediate(more));
      more();
    });
    expect((await failure(fetchBytes(`${s.url}/big`, limits, 1 << 20))).status).toBe(404);
    const first = s.sockets[0] as Socket;
    if (!first.destroyed) await once(first, 'close');
    expect((await fetchBytes(`${s.url}/ok`, limits, 1 << 20)).toString()).toBe('{"ok":true}');
    expect(s.sockets).toHaveLength(2);
  });

  it('destroys the socket of an error reply declared longer than 16 KiB', async () => {
    const s = await serve((_q, res) => {
      res.writeHead(500, { 'content-length': 1 << 20 });
      res.write(Buffer.alloc(1024)); // and never the rest
    });
    expect((await failure(fetchBytes(`${s.url}/x`, limits, 1 << 20))).status).toBe(500);
    const first = s.sockets[0] as Socket;
    if (!first.destroyed) await once(first, 'close');
    expect(first.destroyed).toBe(true);
  });
});
