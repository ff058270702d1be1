// The real fetch path against real servers on 127.0.0.1: every hop goes through redirect-policy, before any
// connection and again for every address DNS gives. "Public" origins and other hosts' DNS come from the NetSeam
// (every test server is on loopback); the seam only answers DNS and says how an address counts, the sockets are real.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LookupFunction } from 'node:net';
import { isWharfError, type WharfError } from '@wharf/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, fetchBytes, fetchChunks, type NetSeam } from '../../src/index/http-fetch.js';
import { addressClass, MAX_REDIRECTS } from '../../src/index/redirect-policy.js';
import { EXTERNAL_IPV4 } from '../legacy/wxauto-lab.js';
import { closeLoopbackServers, serveLoopback as serve } from './loopback-server.js';

const MARKER = 'MARKER-7f3a9c-REPLY-BYTES';

afterEach(closeLoopbackServers);

const redirectTo =
  (location: string, status = 302) =>
  (_req: IncomingMessage, res: ServerResponse) =>
    res.writeHead(status, { location, 'content-type': 'text/html' }).end(`<html>${MARKER} go to ${location}</html>`);

/** DNS for test names: records every lookup and answers from the map (all: true or not, as Node asks). */
function fakeDns(map: Record<string, string>, calls: string[]): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, cb: (...a: unknown[]) => void) => {
    calls.push(hostname);
    const address = map[hostname];
    if (!address) return cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    const family = address.includes(':') ? 6 : 4;
    if (options?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as unknown as LookupFunction;
}

/** `public.test` is a public host (its socket is really on 127.0.0.1); every other address counts as it is. */
const publicOrigin = (map: Record<string, string>, calls: string[]): NetSeam => ({
  lookup: fakeDns({ 'public.test': '127.0.0.1', ...map }, calls),
  addressClass: (address, host) => (host === 'public.test' ? 'public' : addressClass(address)),
});

async function refusal(p: Promise<unknown>): Promise<WharfError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isWharfError(e)) throw new Error(`expected a WharfError, got ${String(e)}`);
  return e;
}

const limits = { ...DEFAULT_LIMITS, headersTimeoutMs: 10_000 };

/** GET through the real fetch path, with the seam when given. */
async function get(url: string, net?: NetSeam, headers?: Record<string, string>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of fetchChunks(url, limits, { net, headers, maxBytes: 1 << 20 })) parts.push(c);
  return Buffer.concat(parts).toString();
}

describe('redirects on the real fetch path', () => {
  it('follows loopback → loopback http redirects up to the bound, DNS names included', async () => {
    const target = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('the body'));
    // A chain of exactly MAX_REDIRECTS hops, alternating between a literal and a localhost name.
    let next = `${target.url}/file`;
    for (let i = 0; i < MAX_REDIRECTS; i++) {
      const s = await serve(redirectTo(next, i % 2 ? 301 : 307));
      next = i % 2 ? `http://localhost:${s.port}/hop${i}` : `${s.url}/hop${i}`;
    }
    const calls: string[] = [];
    let final = '';
    const parts: Uint8Array[] = [];
    for await (const c of fetchChunks(next, limits, {
      net: { lookup: fakeDns({ localhost: '127.0.0.1' }, calls) },
      onResponse: (r) => {
        if (r.redirected) final = r.url;
      },
    }))
      parts.push(c);
    expect(Buffer.concat(parts).toString()).toBe('the body');
    expect(final).toBe(`${target.url}/file`);
    expect(target.requests).toHaveLength(1);
    expect(calls).toContain('localhost'); // the redirect hops were resolved through the guarded lookup
  });

  it(`refuses hop ${MAX_REDIRECTS + 1} with E_HTTP_REDIRECT_BLOCKED, without connecting to it`, async () => {
    const target = await serve((_req, res) => res.end('never'));
    let next = `${target.url}/file`;
    const hops: TestServer[] = [];
    for (let i = 0; i <= MAX_REDIRECTS; i++) {
      const s = await serve(redirectTo(next));
      hops.push(s);
      next = `${s.url}/hop${i}`;
    }
    const e = await refusal(fetchBytes(next, limits, 1 << 20));
    expect(e.code).toBe('E_HTTP_REDIRECT_BLOCKED');
    expect(e.message).toMatch(new RegExp(`redirected more than ${MAX_REDIRECTS} times`));
    expect(hops.map((h) => h.requests.length)).toEqual(hops.map(() => 1));
    expect(target.sockets).toHaveLength(0);
  });

  it('refuses a redirect to http://example.invalid without any DNS lookup or connection', async () => {
    const origin = await serve(redirectTo('http://example.invalid/plugin.wasm'));
    const calls: string[] = [];
    const e = await refusal(get(`${origin.url}/a`, { lookup: fakeDns({ 'example.invalid': '127.0.0.1' }, calls) }));
    expect(e.code).toBe('E_HTTP_REDIRECT_BLOCKED');
    expect(e.message).toMatch(/http:\/\/example\.invalid is plain http/);
    expect(calls).toEqual([]);
  });

  it.skipIf(!EXTERNAL_IPV4)('refuses a redirect to a non-loopback http URL, which sees no connection', async () => {
    const far = await serve((_req, res) => res.end('far'), EXTERNAL_IPV4);
    const origin = await serve(redirectTo(`${far.url}/plugin.wasm`));
    const e = await refusal(get(`${origin.url}/a`));
    expect(e.code).toBe('E_HTTP_REDIRECT_BLOCKED');
    expect(far.sockets).toHaveLength(0);
    // The same server answers a direct request: the refusal is the rule, not the network.
    expect(await get(`${far.url}/x`)).toBe('far');
  });

  it('never puts the refused reply or its Location path into the message or the JSON', async () => {
    const origin = await serve(redirectTo(`http://evil.example/${MARKER}?${MARKER}`));
    const e = await refusal(get(`${origin.url}/a`));
    expect(e.code).toBe('E_HTTP_REDIRECT_BLOCKED');
    expect(e.message).toMatch(/^The download from http:\/\/127\.0\.0\.1:\d+ was redirected and Wharf did not follow: /);
    expect(`${e.message} ${JSON.stringify(e)}`).not.toContain(MARKER);
    // Nor the body of an error reply.
    const bad = await serve((_req, res) => res.writeHead(403).end(`<h1>${MARKER}</h1>`));
    const f = await get(`${bad.url}/x`).catch((x: Error) => x);
    expect(String((f as Error).message)).not.toContain(MARKER);
  });

  it('drops credentials when a redirect leaves the origin', async () => {
    const target = await serve((_req, res) => res.end('ok'));
    const origin = await serve(redirectTo(`http://localhost:${target.port}/x`));
    const net = { lookup: fakeDns({ localhost: '127.0.0.1' }, []) };
    expect(await get(`${origin.url}/a`, net, { Authorization: 'token t', 'X-Other': 'kept' })).toBe('ok');
    expect(origin.requests[0]?.headers.authorization).toBe('token t');
    expect(target.requests[0]?.headers.authorization).toBeUndefined();
    expect(target.requests[0]?.headers['x-other']).toBe('kept');
  });

  describe('from a public origin (public.test, whose socket is on 127.0.0.1)', () => {
    it('refuses a loopback literal before connecting', async () => {
      const inside = await serve((_req, res) => res.end('secret'));
      const origin = await serve(redirectTo(`https://127.0.0.1:${inside.port}/admin`));
      const calls: string[] = [];
      const e = await refusal(get(`http://public.test:${origin.port}/a`, publicOrigin({}, calls)));
      expect(e.code).toBe('E_HTTP_REDIRECT_BLOCKED');
      expect(e.message).toMatch(/loopback/);
      expect(origin.requests).toHaveLength(1);
      expect(inside.sockets).toHaveLength(0);
      expect(calls).toEqual(['public.test']);
    });

    it('refuses a name that resolves to loopback at DNS time, before the socket connects', async () => {
      const inside = await serve((_req, res) => res.end('secret'));
      const origin = await serve(redirectTo(`https://inside.test:${inside.port}/admin`));
      const calls: string[] = [];
      const seam = publicOrigin({ 'inside.test': '127.0.0.1' }, calls);
      const e = await refusal(get(`http://public.test:${origin.port}/a`, seam));
      expect(e.code).toBe('E_HTTP_REDIRECT_BLOCKED');
      expect(e.message).toMatch(/https:\/\/inside\.test:\d+ is on this machine/);
      expect(calls).toEqual(['public.test', 'inside.test']);
      expect(inside.sockets).toHaveLength(0);
      // Control: from a loopback origin the same hop is allowed and really connects (then fails TLS on plain http).
      const from = await serve(redirectTo(`https://inside.test:${inside.port}/admin`));
      const other = await get(`${from.url}/a`, { lookup: fakeDns({ 'inside.test': '127.0.0.1' }, []) }).catch(
        (x: Error) => x,
      );
      expect(isWharfError(other) && other.code === 'E_HTTP_REDIRECT_BLOCKED').toBe(false);
      expect(inside.sockets).toHaveLength(1);
    });

    for (const [name, address] of [
      ['lan.test', '10.1.2.3'],
      ['metadata.test', '169.254.169.254'],
      ['v6.test', 'fd00::1'],
      ['mapped.test', '::ffff:192.168.0.1'],
    ] as const) {
      it(`refuses ${name} resolving to ${address} (private or link-local) with no connection attempted`, async () => {
        const origin = await serve(redirectTo(`https://${name}/plugin.wasm`));
        const calls: string[] = [];
        const e = await refusal(get(`http://public.test:${origin.port}/a`, publicOrigin({ [name]: address }, calls)));
        expect(e.code).toBe('E_HTTP_REDIRECT_BLOCKED');
        expect(e.message).toMatch(/private, link-local or reserved address/);
        expect(calls).toEqual(['public.test', name]);
      });
    }

    it('refuses plain http even to another public host', async () => {
      const origin = await serve(redirectTo('http://cdn.test/plugin.wasm'));
      const calls: string[] = [];
      const seam = publicOrigin({ 'cdn.test': '93.184.215.14' }, calls);
      const e = await refusal(get(`http://public.test:${origin.port}/a`, seam));
      expect(e.code).toBe('E_HTTP_REDIRECT_BLOCKED');
      expect(calls).toEqual(['public.test']);
    });
  });
});
