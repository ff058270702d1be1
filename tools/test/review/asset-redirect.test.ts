import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadCapped } from '../../src/github/fetch-release.js';

// The bot downloads release assets at the URLs the API returned. A redirect the policy refuses (here loopback →
// a private address over http) must reach the report as E_HTTP_REDIRECT_BLOCKED, not as a missing asset.
describe('asset download redirects', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/private') res.writeHead(302, { Location: 'http://10.11.12.13/plugin.wasm' }).end();
      else if (req.url === '/ok') res.writeHead(200, { 'Content-Length': '3' }).end('abc');
      else res.writeHead(404).end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('reports a refused redirect by its own code', async () => {
    await expect(downloadCapped(`${base}/private`, 1024)).rejects.toMatchObject({ code: 'E_HTTP_REDIRECT_BLOCKED' });
  });

  it('still says E_NOT_FOUND for a missing asset and downloads a present one', async () => {
    await expect(downloadCapped(`${base}/missing`, 1024)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    expect(Buffer.from(await downloadCapped(`${base}/ok`, 1024)).toString()).toBe('abc');
  });
});
