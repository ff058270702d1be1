// A real node:http server on 127.0.0.1 that serves a published registry dir and misbehaves on demand, the way
// real mirrors do: refused connections, silence, trickles, 5xx, login pages, cut or endless bodies, flipped bytes.
// Rolled-back, expired and mixed-snapshot mirrors are real signed trees served with `serve(dir)`.
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join, resolve, sep } from 'node:path';

export type FaultKind =
  | 'ok'
  | 'refused' // nothing listens on the port
  | 'hang' // accepts the connection, never answers
  | 'slow' // 1 byte per second
  | '500'
  | '503'
  | '404'
  | '404-trickle' // a 404 that declares a short body, sends one byte of it and then nothing
  | 'html' // 200 with an HTML login page
  | 'truncated' // a well-formed response carrying only the first half of the file
  | 'endless' // 200 with no length and a body that never ends
  | 'tampered'; // the real bytes with one byte flipped

export interface Fault {
  kind: FaultKind;
  /** Only requests whose path matches misbehave (default: all); the rest are served normally. */
  match?: RegExp;
}

export interface FaultServer {
  url: string;
  /** Every request seen: path, status sent (0 when none), and whether it was a conditional GET. */
  readonly log: Array<{ path: string; status: number; conditional: boolean }>;
  setFault(f: Fault | FaultKind): Promise<void>;
  /** Serve another registry tree (an older or re-signed copy) from now on. */
  serve(dir: string): void;
  /** Replace one path's bytes (e.g. a mixed snapshot: one file from another publish). */
  override(path: string, bytes: Buffer | undefined): void;
  count(match?: RegExp): number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.json': 'application/json', '.wasm': 'application/wasm' };

export async function startFaultServer(
  dir: string,
  opts: { fault?: Fault | FaultKind; mounts?: Record<string, string> } = {},
): Promise<FaultServer> {
  let root = await realpath(resolve(dir));
  const mounts: Array<[string, string]> = [];
  for (const [p, d] of Object.entries(opts.mounts ?? {})) mounts.push([p, await realpath(resolve(d))]);
  let fault: Fault = { kind: 'ok' };
  const overrides = new Map<string, Buffer>();
  const log: FaultServer['log'] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const fileFor = async (path: string): Promise<Buffer | undefined> => {
    const o = overrides.get(path);
    if (o) return o;
    if (path.split('/').includes('..')) return undefined;
    const [prefix, base] = mounts.find(([p]) => path.startsWith(p)) ?? ['/', root];
    const full = resolve(join(base, path.slice(prefix.length)));
    if (full !== base && !full.startsWith(base + sep)) return undefined;
    try {
      return (await stat(full)).isFile() ? await readFile(full) : undefined;
    } catch {
      return undefined;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const entry = { path, status: 0, conditional: req.headers['if-none-match'] !== undefined };
    log.push(entry);
    const send = (status: number, headers: Record<string, string | number>, body?: Buffer | string) => {
      entry.status = status;
      res.writeHead(status, headers).end(body);
    };
    const f = fault.match && !fault.match.test(path) ? { kind: 'ok' as const } : fault;
    switch (f.kind) {
      case 'hang':
        return; // the socket stays open until the client gives up or the server closes
      case '500':
      case '503':
      case '404':
        return send(Number(f.kind), { 'Content-Type': 'text/plain' }, `error ${f.kind}\n`);
      case '404-trickle':
        entry.status = 404;
        res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 4096 });
        res.write('e'); // and the rest never comes: the socket stays open until the client lets go
        return;
      case 'html':
        return send(
          200,
          { 'Content-Type': 'text/html' },
          '<!doctype html><html><body><form action="/login">Please sign in to continue</form></body></html>',
        );
      case 'endless': {
        entry.status = 200;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) {}
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
        return;
      }
      default:
        break;
    }
    const body = await fileFor(path);
    if (!body) return send(404, { 'Content-Type': 'text/plain' }, 'not found\n');
    const type = TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
    if (f.kind === 'slow') {
      entry.status = 200;
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length });
      let i = 0;
      const tick = () => {
        if (res.destroyed || i >= body.length) return void res.end();
        res.write(body.subarray(i, ++i));
        const t = setTimeout(tick, 1000);
        timers.add(t);
      };
      tick();
      return;
    }
    if (f.kind === 'truncated') return send(200, { 'Content-Type': type }, body.subarray(0, body.length >> 1));
    if (f.kind === 'tampered') {
      const copy = Buffer.from(body);
      const at = copy.length >> 1;
      copy[at] = (copy[at] as number) ^ 0x01;
      return send(200, { 'Content-Type': type }, copy);
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    if (req.headers['if-none-match'] === etag) return send(304, { ETag: etag });
    send(200, { 'Content-Type': type, 'Content-Length': body.length, ETag: etag }, body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  let connections = 0;
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (port: number) =>
    new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', fail);
        ok();
      });
    });
  const stop = () =>
    new Promise<void>((ok) => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      if (!server.listening) return ok();
      server.close(() => ok());
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  const set = async (f: Fault | FaultKind) => {
    fault = typeof f === 'string' ? { kind: f } : f;
    // A refused connection is a closed port: stop listening (same port comes back for any other fault).
    if (fault.kind === 'refused' && server.listening) await stop();
    else if (fault.kind !== 'refused' && !server.listening) await listen(port);
  };
  if (opts.fault) await set(opts.fault);
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    setFault: set,
    serve(d: string) {
      root = resolve(d);
    },
    override(p, bytes) {
      if (bytes) overrides.set(p, bytes);
      else overrides.delete(p);
    },
    count: (m) => log.filter((e) => !m || m.test(e.path)).length,
    get connections() {
      return connections;
    },
    close: stop,
  };
}
