// The download layer on its own against a real server on 127.0.0.1: the file is written from the socket's chunks on
// the threadpool (and, with `durable`, synced after the hash is known), so a refusal must still wait for those
// writes, remove the temp file and report the same code as before.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artifact } from '@wharf/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadArtifact, KEEP_BYTES } from '../../src/install/download-artifact.js';
import { sieveWasm } from '../../src/scan/sieve-wasm.js';
import { withCustomSection } from '../scan/wasm-fixtures.js';

// Over several write batches (1 MiB), well under the sieved-bytes limit.
const BYTES = randomBytes(5 * 1024 * 1024 + 12_345);
const SHA = createHash('sha256').update(BYTES).digest('hex');

let dir: string;
const closers: Array<() => Promise<void>> = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-dl-'));
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  rmSync(dir, { recursive: true, force: true });
});

async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const srv = createServer(handle);
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  closers.push(
    () =>
      new Promise((ok) => {
        srv.closeAllConnections();
        srv.close(() => ok());
      }),
  );
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}/plugin.wasm`;
}

/** Sends `body` in 64 KiB pieces over a few event-loop turns, as a real server's socket writes land. */
function sendInPieces(res: ServerResponse, body: Buffer, stopAfter = body.length): void {
  let off = 0;
  const next = () => {
    if (off >= stopAfter) {
      res.destroy(); // the connection drops before the declared length
      return;
    }
    const end = Math.min(off + 65_536, stopAfter);
    res.write(body.subarray(off, end), () => setImmediate(next));
    off = end;
    if (off >= body.length) res.end();
  };
  next();
}

const artifact = (url: string, over: Partial<Artifact> = {}): Artifact => ({
  name: 'plugin.wasm',
  size: BYTES.length,
  sha256: SHA,
  urls: [url],
  ...over,
});

describe('downloadArtifact (written on the threadpool, sieved for admission)', () => {
  it('the file holds exactly the bytes when it returns, and nothing else is left in the temp dir', async () => {
    expect(BYTES.length).toBeLessThan(KEEP_BYTES);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': BYTES.length });
      sendInPieces(res, BYTES);
    });
    const d = await downloadArtifact(artifact(url), dir);
    expect(d.durable).toBeUndefined();
    expect(d.sha256).toBe(SHA);
    // Not WASM: the sieve keeps what it cannot read as sections (admission refuses it on the magic number).
    expect(d.sieved?.bytes.subarray(0, 8)).toEqual(new Uint8Array(BYTES.subarray(0, 8)));
    expect(readFileSync(d.path).equals(BYTES)).toBe(true);
    expect(readdirSync(dir)).toEqual([d.path.split('/').at(-1)]);
  });

  it('a WASM module padded with debug info: the sieved copy holds its sections, not the padding', async () => {
    const wasm = readFileSync(join(import.meta.dirname, '../../../examples/count-vowels/plugin.wasm'));
    const padded = Buffer.from(withCustomSection(wasm, '.debug_info', 3 * 1024 * 1024));
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': padded.length });
      sendInPieces(res, padded);
    });
    const sha256 = createHash('sha256').update(padded).digest('hex');
    const d = await downloadArtifact(artifact(url, { size: padded.length, sha256 }), dir, { durable: true });
    await d.durable;
    expect(readFileSync(d.path).equals(padded)).toBe(true);
    expect(d.sieved).toEqual(sieveWasm(padded));
    expect(d.sieved?.bytes.length).toBeLessThan(wasm.length + 100);
  });

  it('with durable, returns once the hash is known and `durable` settles when the whole file is written', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': BYTES.length });
      sendInPieces(res, BYTES);
    });
    const d = await downloadArtifact(artifact(url), dir, { durable: true });
    expect(d.sha256).toBe(SHA);
    expect(d.durable).toBeInstanceOf(Promise);
    await d.durable;
    expect(readFileSync(d.path).equals(BYTES)).toBe(true);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('a connection dropped mid-body is E_ALL_MIRRORS_FAILED, after the writes in flight, with no temp file', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': BYTES.length });
      sendInPieces(res, BYTES, 3 * 1024 * 1024 + 100);
    });
    for (const durable of [false, true]) {
      await expect(downloadArtifact(artifact(url), dir, { durable })).rejects.toMatchObject({
        code: 'E_ALL_MIRRORS_FAILED',
      });
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('a flipped byte is E_ARTIFACT_HASH; more bytes than pinned (no Content-Length) too; no temp file', async () => {
    const tampered = Buffer.from(BYTES);
    tampered[tampered.length >> 1] ^= 1;
    const longer = Buffer.concat([BYTES, Buffer.from('trailing')]);
    const url = await serve((req, res) => {
      res.writeHead(200); // chunked: the cap is enforced on the bytes, not on a header
      sendInPieces(res, req.url?.includes('long') ? longer : tampered);
    });
    for (const durable of [false, true]) {
      await expect(downloadArtifact(artifact(url), dir, { durable })).rejects.toMatchObject({
        code: 'E_ARTIFACT_HASH',
      });
      await expect(downloadArtifact(artifact(url.replace('plugin', 'long')), dir, { durable })).rejects.toMatchObject({
        code: 'E_ARTIFACT_HASH',
      });
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('a request that fails at once or on connect is E_ALL_MIRRORS_FAILED, with no stray rejection', async () => {
    // An ftp: URL fails at once, a refused port a little later.
    const refused = await serve(() => {});
    await closers.pop()?.();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (const url of ['ftp://127.0.0.1/plugin.wasm', refused]) {
        await expect(downloadArtifact(artifact(url), dir, { durable: true })).rejects.toMatchObject({
          code: 'E_ALL_MIRRORS_FAILED',
        });
      }
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('tries the next URL after a bad one and keeps only the good bytes', async () => {
    const bad = await serve((_req, res) => {
      res.writeHead(503).end();
    });
    const good = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': BYTES.length });
      sendInPieces(res, BYTES);
    });
    const d = await downloadArtifact(artifact(bad, { urls: [bad, good] }), dir, { durable: true });
    await d.durable;
    expect(d.url).toBe(good);
    expect(readFileSync(d.path).equals(BYTES)).toBe(true);
    expect(readdirSync(dir)).toHaveLength(1);
  });
});
