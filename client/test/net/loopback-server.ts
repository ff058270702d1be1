// A plain node:http server for the fetch-path tests (redirects, error replies): it records what reached it, so a
// test can say that nothing connected, that a socket was kept or cut, and what headers a hop carried.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LoopbackServer {
  url: string;
  port: number;
  /** The TCP connections accepted, in order: none means nothing connected at all. */
  sockets: Socket[];
  /** The first connection. */
  connected: Promise<Socket>;
  requests: Array<{ path: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

const servers: LoopbackServer[] = [];

/** Close every server serveLoopback started (for afterEach). */
export async function closeLoopbackServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.close()));
}

export async function serveLoopback(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  host = '127.0.0.1',
): Promise<LoopbackServer> {
  const srv = createServer((req, res) => {
    s.requests.push({ path: req.url ?? '', headers: req.headers });
    handle(req, res);
  });
  const s: LoopbackServer = {
    url: '',
    port: 0,
    sockets: [],
    connected: once(srv, 'connection').then(([c]) => c as Socket),
    requests: [],
    close: () =>
      new Promise((done) => {
        srv.closeAllConnections();
        srv.close(() => done());
      }),
  };
  s.connected.catch(() => {}); // a server error is the test's failure, not an unhandled rejection here
  srv.on('connection', (c: Socket) => s.sockets.push(c));
  await new Promise<void>((ok) => srv.listen(0, host, ok));
  s.port = (srv.address() as AddressInfo).port;
  s.url = `http://${host}:${s.port}`;
  servers.push(s);
  return s;
}
