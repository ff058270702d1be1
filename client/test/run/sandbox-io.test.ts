import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAllowed } from '../../src/run/guarded-fetch.js';
import { openSandbox, type SandboxedPlugin } from '../../src/run/sandbox.js';
import { HOSTILE_WAT, WASI_READ_WAT, wat } from './wat-plugins.js';

// HTTP and filesystem reach of a sandboxed plugin, with real servers on 127.0.0.1 and a real WASM plugin calling
// Extism's http_request. "localhost" is the disallowed host: the same machine, a different hostname.

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: { code?: string }) => e.code,
  );
}

describe('sandbox HTTP: declared hosts only, every redirect hop re-checked', () => {
  let allowed: { server: Server; port: number };
  let other: { server: Server; port: number };
  let second: { server: Server; port: number };
  const otherHits: string[] = [];
  const secondAuth: Array<string | undefined> = [];
  const allowedAuth: Array<string | undefined> = [];
  let sb: SandboxedPlugin;
  const req = (url: string) => JSON.stringify({ url, method: 'GET', headers: { authorization: 'Bearer t' } });

  beforeAll(async () => {
    other = await listen((rq, res) => {
      otherHits.push(rq.url ?? '');
      res.end('secret from the other host');
    });
    // Same hostname as the allowed server, another port: allowed, but another origin.
    second = await listen((rq, res) => {
      secondAuth.push(rq.headers.authorization);
      res.end('second origin');
    });
    allowed = await listen((rq, res) => {
      const a = `http://127.0.0.1:${allowed.port}`;
      const hops: Record<string, string> = {
        '/to-other': `http://localhost:${other.port}/secret`,
        '/to-self': `${a}/hello`,
        '/two-hops': '/to-other',
        '/loop': '/loop',
        '/to-second': `http://127.0.0.1:${second.port}/`,
      };
      const loc = hops[rq.url ?? ''];
      if (loc) res.writeHead(302, { location: loc }).end();
      else if (rq.url === '/hello') {
        allowedAuth.push(rq.headers.authorization);
        res.end('hello from the allowed host');
      } else if (rq.url === '/big') res.end(Buffer.alloc(2 * 1024 * 1024, 0x61));
      else res.writeHead(404).end();
    });
    sb = await openSandbox({
      id: 'fetcher',
      wasm: await wat(HOSTILE_WAT),
      permissions: { allowed_hosts: ['127.0.0.1'], timeout_ms: 5_000 },
      exports: [{ name: 'fetch' }, { name: 'echo' }],
      policy: { maxTimeoutMs: 5_000, defaultTimeoutMs: 5_000, maxHttpResponseBytes: 1024 * 1024 },
    });
  });
  afterAll(async () => {
    await sb?.close();
    allowed?.server.close();
    other?.server.close();
    second?.server.close();
  });

  it('reaches an allowed host', async () => {
    expect(text(await sb.call('fetch', req(`http://127.0.0.1:${allowed.port}/hello`)))).toBe(
      'hello from the allowed host',
    );
  });

  it('follows a redirect that stays on allowed hosts', async () => {
    expect(text(await sb.call('fetch', req(`http://127.0.0.1:${allowed.port}/to-self`)))).toBe(
      'hello from the allowed host',
    );
  });

  it('blocks a redirect to another host before connecting to it, and the next call works', async () => {
    expect(await codeOf(sb.call('fetch', req(`http://127.0.0.1:${allowed.port}/to-other`))), 'one hop').toBe(
      'E_HTTP_REDIRECT_BLOCKED',
    );
    expect(await codeOf(sb.call('fetch', req(`http://127.0.0.1:${allowed.port}/two-hops`))), 'two hops').toBe(
      'E_HTTP_REDIRECT_BLOCKED',
    );
    expect(otherHits).toEqual([]);
    expect(text(await sb.call('echo', 'still here'))).toBe('still here');
  });

  it('refuses an undeclared host outright', async () => {
    expect(await codeOf(sb.call('fetch', req(`http://localhost:${other.port}/secret`)))).toBe('E_HTTP_HOST_DENIED');
    expect(otherHits).toEqual([]);
    expect(text(await sb.call('fetch', req(`http://127.0.0.1:${allowed.port}/hello`)))).toBe(
      'hello from the allowed host',
    );
  });

  it('drops credentials when a redirect changes origin', async () => {
    expect(text(await sb.call('fetch', req(`http://127.0.0.1:${allowed.port}/to-second`)))).toBe('second origin');
    expect(secondAuth).toEqual([undefined]);
    expect(allowedAuth[0]).toBe('Bearer t'); // same-origin requests keep them
  });

  it('withholds a response body over the cap (the plugin sees no body, only the status)', async () => {
    expect(text(await sb.call('fetch', req(`http://127.0.0.1:${allowed.port}/big`)))).toBe('200');
    expect(text(await sb.call('echo', 'fine'))).toBe('fine');
  });

  it('stops a redirect loop', async () => {
    expect(await codeOf(sb.call('fetch', req(`http://127.0.0.1:${allowed.port}/loop`)))).toBe(
      'E_HTTP_REDIRECT_BLOCKED',
    );
  });

  it('a plugin with no allowed_hosts reaches nothing', async () => {
    const none = await openSandbox({
      id: 'no-net',
      wasm: await wat(HOSTILE_WAT),
      permissions: {},
      exports: [{ name: 'fetch' }],
    });
    try {
      expect(await codeOf(none.call('fetch', req(`http://127.0.0.1:${allowed.port}/hello`)))).toBe(
        'E_HTTP_HOST_DENIED',
      );
    } finally {
      await none.close();
    }
  });

  it('matches hosts as Extism does', () => {
    expect(hostAllowed('api.example.com', ['*.example.com'])).toBe(true);
    expect(hostAllowed('a.b.example.com', ['*.example.com'])).toBe(true);
    expect(hostAllowed('example.com', ['*.example.com'])).toBe(false);
    expect(hostAllowed('evilexample.com', ['*.example.com'])).toBe(false);
    expect(hostAllowed('EXAMPLE.com', ['example.COM'])).toBe(true);
    expect(hostAllowed('localhost', ['127.0.0.1'])).toBe(false);
  });
});

describe('sandbox filesystem: nothing unless the user granted the declared path', () => {
  let dir: string;
  let wasm: Uint8Array;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wharf-fs-'));
    writeFileSync(join(dir, 'note.txt'), 'granted content');
    wasm = await wat(WASI_READ_WAT);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const open = (grantedPaths?: Record<string, string>) =>
    openSandbox({
      id: 'reader',
      wasm,
      permissions: { wasi: true, allowed_paths: { [dir]: '/data' } },
      exports: [{ name: 'read' }],
      policy: { maxTimeoutMs: 5_000, defaultTimeoutMs: 5_000, grantedPaths },
    });

  it('declared but not granted: no preopen, the read fails with EBADF', async () => {
    const p = await open();
    try {
      expect(text(await p.call('read', 'note.txt'))).toBe('100008'); // 100000 + WASI errno 8 (badf)
    } finally {
      await p.close();
    }
  });

  it('granted for a different guest path: still nothing', async () => {
    const p = await open({ [dir]: '/elsewhere' });
    try {
      expect(text(await p.call('read', 'note.txt'))).toBe('100008');
    } finally {
      await p.close();
    }
  });

  it('granted: the plugin reads the file under its guest path', async () => {
    const p = await open({ [dir]: '/data' });
    try {
      expect(text(await p.call('read', 'note.txt'))).toBe('granted content');
      // ...and cannot climb out of it.
      expect(text(await p.call('read', '../etc/passwd'))).toMatch(/^1000\d\d$/);
    } finally {
      await p.close();
    }
  });
});
