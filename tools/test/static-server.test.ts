import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type StaticServer, startStaticServer } from '../src/index.js';
import { tempDir } from './fixtures.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let server: StaticServer;
let root: string;

/** Raw request: fetch() would normalise "/../" away before it ever reached the server. */
function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(server.url);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', fail);
    req.end();
  });
}

beforeEach(async () => {
  tmp = await tempDir();
  root = join(tmp.path, 'site');
  await mkdir(join(root, 'metadata'), { recursive: true });
  await writeFile(join(root, 'metadata', 'timestamp.json'), '{"signed":{}}');
  await writeFile(join(root, 'plugin.wasm'), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  await writeFile(join(tmp.path, 'secret.txt'), 'outside the tree');
  await mkdir(join(tmp.path, 'examples', 'greet'), { recursive: true });
  await writeFile(join(tmp.path, 'examples', 'greet', 'plugin.wasm'), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  await symlink(join(tmp.path, 'secret.txt'), join(root, 'link.txt'));
  server = await startStaticServer(root, { port: 0, mounts: { '/artifacts/': join(tmp.path, 'examples') } });
});

afterEach(async () => {
  await server.close();
  await tmp.cleanup();
});

describe('static server', () => {
  it('serves JSON and wasm with the right content types on a random loopback port', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const json = await get('/metadata/timestamp.json');
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json');
    expect(json.body).toBe('{"signed":{}}');
    const wasm = await get('/plugin.wasm');
    expect(wasm.headers['content-type']).toBe('application/wasm');
    const mounted = await get('/artifacts/greet/plugin.wasm');
    expect(mounted.status).toBe(200);
    expect(mounted.headers['content-type']).toBe('application/wasm');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await get('/metadata/timestamp.json');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^".+"$/);
    const again = await get('/metadata/timestamp.json', { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect((await get('/metadata/timestamp.json', { 'If-None-Match': '"other"' })).status).toBe(200);
  });

  it('a file whose ETag is known is streamed: the same bytes, length and ETag as the first answer', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0x5a);
    big.write('wharf', 1_000_000);
    await writeFile(join(root, 'big.wasm'), big);
    const first = await get('/big.wasm');
    const again = await get('/big.wasm'); // the ETag is known now: streamed from the file
    for (const r of [first, again]) {
      expect(r.status).toBe(200);
      expect(r.headers['content-length']).toBe(String(big.length));
      expect(Buffer.from(r.body, 'latin1').equals(big)).toBe(true);
    }
    expect(again.headers.etag).toBe(first.headers.etag);
  });

  it('a file edited in place, its size kept, gets a new ETag and no 304 (the ETag is not kept past a change)', async () => {
    const file = join(root, 'metadata', 'timestamp.json');
    const etag = String((await get('/metadata/timestamp.json')).headers.etag);
    expect((await get('/metadata/timestamp.json', { 'If-None-Match': etag })).status).toBe(304);
    await writeFile(file, '{"signed":[]}'); // same length, other bytes
    const changed = await get('/metadata/timestamp.json', { 'If-None-Match': etag });
    expect(changed.status).toBe(200);
    expect(changed.body).toBe('{"signed":[]}');
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('404s missing files and directories, and refuses traversal and escaping symlinks', async () => {
    expect((await get('/metadata/nope.json')).status).toBe(404);
    expect((await get('/metadata')).status).toBe(404);
    for (const p of [
      '/../secret.txt',
      '/metadata/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/artifacts/../secret.txt',
      '/link.txt',
      '/%00',
    ]) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.body).not.toContain('outside the tree');
    }
  });
});
