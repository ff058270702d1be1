// Redirects through the whole client: a real signed registry (the release lab), artifact URLs and a mirror behind
// a redirector on 127.0.0.1. Each refusal asserts its code, a byte-identical home and no temp files, and that no
// byte of the refused reply (a marker in its body and Location) reaches the message or the CLI's JSON.
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WharfClient } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, WHARF } from '../helpers/demo.js';
import { createLab, type ReleaseLab } from '../helpers/release-lab.js';
import { expectRefusal, tempLeftovers, userState } from '../helpers/snapshot-dir.js';

const MARKER = 'XMARK-51c2e0'; // short: the old code echoed the first 24 bytes of a non-JSON reply
type Mode = 'pass' | 'to-invalid' | 'loop' | 'html';

interface Redirector {
  url: string;
  mode: Mode;
  hits: number;
  close(): Promise<void>;
}

/** Forwards to `upstream` (mode pass) or misbehaves; `only` limits the misbehaviour to matching paths. */
async function redirector(upstream: string, only: RegExp = /./): Promise<Redirector> {
  const r: Redirector = { url: '', mode: 'pass', hits: 0, close: async () => {} };
  const bounce = (res: ServerResponse, location: string) =>
    res.writeHead(302, { location, 'content-type': 'text/html' }).end(`<a href="${location}">${MARKER}</a>`);
  const srv = createServer((req: IncomingMessage, res: ServerResponse) => {
    r.hits++;
    const path = req.url ?? '/';
    const mode = only.test(path) ? r.mode : 'pass';
    if (mode === 'to-invalid') return bounce(res, `http://example.invalid/${MARKER}`);
    if (mode === 'loop') return bounce(res, `${r.url}${path.split('?')[0]}?n=${r.hits}`);
    if (mode === 'html') return res.writeHead(200, { 'content-type': 'text/html' }).end(`<html>${MARKER}</html>`);
    // pass: a loopback → loopback http redirect to the real file, which the client follows.
    if (/\/artifacts\//.test(path)) return bounce(res, `${upstream}${path}`);
    const up = request(`${upstream}${path}`, (u) => {
      res.writeHead(u.statusCode ?? 502, u.headers);
      u.pipe(res);
    });
    up.on('error', () => res.destroy());
    up.end();
  });
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  r.url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  r.close = () =>
    new Promise((done) => {
      srv.closeAllConnections();
      srv.close(() => done());
    });
  return r;
}

describe('redirects in install and refresh', () => {
  let lab: ReleaseLab;
  let art: Redirector;
  let c: WharfClient;
  beforeAll(async () => {
    lab = await createLab();
    art = await redirector(lab.server.url);
    await lab.add({ id: 'good', version: '1.0.0' });
    for (const id of ['hopper', 'nowhere', 'looper'])
      await lab.add({ id, version: '1.0.0', urlBase: `${art.url}/artifacts` });
    await lab.publish();
    c = await lab.client();
    await c.install('good');
  });
  afterAll(async () => {
    await art?.close();
    await lab?.close();
  });

  it('follows a loopback → loopback http redirect to the artifact', async () => {
    art.mode = 'pass';
    const home = await lab.client();
    const r = await home.install('hopper');
    expect(r).toMatchObject({ status: 'installed', url: `${art.url}/artifacts/hopper-1.0.0/plugin.wasm` });
  });

  it('a redirect to http://example.invalid: E_HTTP_REDIRECT_BLOCKED, nothing changed, no reply bytes shown', async () => {
    art.mode = 'to-invalid';
    const e = await expectRefusal(c.home.root, 'E_HTTP_REDIRECT_BLOCKED', () => c.install('nowhere'));
    expect(e.message).toMatch(/plain http/);
    expect(`${e.message}${JSON.stringify(e)}`).not.toContain(MARKER);
    const before = userState(c.home.root);
    const cli = await runCli(WHARF, ['--home', c.home.root, '--json', 'install', 'nowhere']);
    expect(cli.code).toBe(1);
    expect(cli.stdout + cli.stderr).toContain('E_HTTP_REDIRECT_BLOCKED');
    expect(cli.stdout + cli.stderr).not.toContain(MARKER);
    expect(userState(c.home.root)).toEqual(before);
    expect(tempLeftovers(c.home.root)).toEqual([]);
    expect(await c.verify()).toEqual([{ id: 'good', ok: true }]);
  });

  it('a redirect loop: refused after the hop bound', async () => {
    art.mode = 'loop';
    const hitsBefore = art.hits;
    const e = await expectRefusal(c.home.root, 'E_HTTP_REDIRECT_BLOCKED', () => c.install('looper'));
    expect(e.message).toMatch(/redirected more than \d+ times/);
    expect(art.hits - hitsBefore).toBeLessThanOrEqual(10);
    expect(`${e.message}${JSON.stringify(e)}`).not.toContain(MARKER);
  });

  describe('a mirror behind the redirector', () => {
    let mirror: Redirector;
    let m: WharfClient;
    beforeAll(async () => {
      mirror = await redirector(lab.server.url, /^\/metadata\/timestamp\.json/);
      m = new WharfClient({ home: join(lab.root, 'home-mirror') });
      await m.addSource({ alias: 'lab', url: mirror.url, rootSha256: lab.rootSha256 });
      await m.refresh();
    });
    afterAll(async () => mirror?.close());

    for (const mode of ['to-invalid', 'loop', 'html'] as const) {
      it(`${mode}: the refresh fails on that mirror, keeps the verified cache, and shows no reply bytes`, async () => {
        mirror.mode = mode;
        const before = userState(m.home.root);
        const report = await m.refresh();
        expect(report.failed[0]?.code).toBe('E_ALL_MIRRORS_FAILED');
        if (mode !== 'html') expect(report.failed[0]?.message).toMatch(/was redirected and Wharf did not follow/);
        expect(JSON.stringify(report)).not.toContain(MARKER);
        const cli = await runCli(WHARF, ['--home', m.home.root, '--json', 'refresh']);
        expect(cli.stdout + cli.stderr).not.toContain(MARKER);
        expect(userState(m.home.root)).toEqual(before);
        expect(tempLeftovers(m.home.root)).toEqual([]);
        mirror.mode = 'pass';
      });
    }
  });
});
