import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readLockfile, type WharfClient, type WharfError } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, WHARF } from './helpers/demo.js';
import { createLab, type ReleaseLab } from './helpers/release-lab.js';
import { tempLeftovers, userState } from './helpers/snapshot-dir.js';

// DESIGN §4 "a crash at any point leaves the previous state intact", tried with real SIGKILLs of the real CLI.

/** Serves a dir at ~64 KiB/s so that a download is reliably in flight when the test kills the client. */
async function trickleServer(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const p = join(dir, decodeURIComponent((req.url ?? '/').split('?')[0] as string));
    if (!p.startsWith(dir) || !existsSync(p)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': statSync(p).size, 'content-type': 'application/wasm' });
    const s = createReadStream(p, { highWaterMark: 4096 });
    s.on('data', (chunk) => {
      res.write(chunk);
      s.pause();
      setTimeout(() => s.resume(), 60);
    });
    s.on('end', () => res.end());
    req.on('close', () => s.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function spawnWharf(home: string, args: string[]) {
  return spawn(process.execPath, [WHARF, '--home', home, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function waitFor(pred: () => boolean, ms = 40_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function runs(c: WharfClient, id: string): Promise<void> {
  const out = await c.run(id, 'count_vowels', 'aeiou');
  expect(JSON.parse(Buffer.from(out).toString())).toEqual({ count: 5 });
}

describe('atomicity under SIGKILL', () => {
  let lab: ReleaseLab;
  let slow: Awaited<ReturnType<typeof trickleServer>>;
  beforeAll(async () => {
    lab = await createLab();
    slow = await trickleServer(lab.artifacts);
    await lab.add({ id: 'tick', version: '1.0.0' });
    await lab.add({ id: 'tick', version: '2.0.0', padding: 2_000_000, urlBase: slow.url });
    await lab.add({ id: 'tock', version: '1.0.0' });
    await lab.publish();
  });
  afterAll(async () => {
    await slow?.close();
    await lab?.close();
  });

  it('kill -9 mid-download: the previous version still runs, verify passes, the next start cleans up', async () => {
    const c = await lab.client();
    await c.install('tick@1.0.0');
    const before = userState(c.home.root);
    const child = spawnWharf(c.home.root, ['update', '--yes']);
    const closedOnce = new Promise((r) => child.once('close', r));
    // The download is in flight once its temp file exists, and stays so for the ~30 s the trickle takes.
    await waitFor(() => readdirSync(c.home.tmp).some((f) => f.startsWith('.wharf-tmp-')));
    child.kill('SIGKILL');
    await closedOnce;
    expect(tempLeftovers(c.home.root).length).toBeGreaterThan(0); // really cut mid-write
    expect(userState(c.home.root)).toEqual(before);
    const again = await lab.client(c.home.root); // opening the home cleans what the dead process left
    expect(tempLeftovers(again.home.root)).toEqual([]);
    expect(await again.verify()).toEqual([{ id: 'tick', ok: true }]);
    await runs(again, 'tick');
  });

  it('kill -9 at random points of install/uninstall: the lockfile is always whole and verify passes', async () => {
    const c = await lab.client();
    await c.install('tick@1.0.0');
    const commands = [
      ['install', 'tock'],
      ['uninstall', 'tock'],
    ];
    // How long each command takes on this machine, uncut (Node start-up included): the kills are spread over that
    // span, so that they land inside the commands on a fast machine and a slow one alike.
    const span: number[] = [];
    for (const args of commands) {
      const t = performance.now();
      const child = spawnWharf(c.home.root, args);
      expect(await new Promise((r) => child.once('close', r))).toBe(0);
      span.push(performance.now() - t);
    }
    let cut = 0;
    for (let i = 0; i < 12; i++) {
      const args = commands[i % 2] as string[];
      const child = spawnWharf(c.home.root, args);
      // Listen now: a fast command may finish before the kill below.
      const closed = new Promise((r) => child.once('close', (code, sig) => r(sig ?? code)));
      // From a tenth of the command's span to nine tenths of it.
      await new Promise((r) => setTimeout(r, (span[i % 2] as number) * (0.1 + 0.8 * (((i * 37) % 100) / 100))));
      child.kill('SIGKILL');
      const code = await closed;
      if (code === 'SIGKILL') cut++;
      const lock = readLockfile(c.home.lockfile); // throws E_LOCK_MISMATCH if torn
      expect(lock.plugins.tick?.version).toBe('1.0.0');
      const fresh = await lab.client(c.home.root);
      expect((await fresh.verify()).every((v) => v.ok)).toBe(true);
      expect(tempLeftovers(fresh.home.root)).toEqual([]);
    }
    expect(cut).toBeGreaterThan(3);
    await runs(c, 'tick');
  });

  it('refuses a symlinked install dir (E_PATH_ESCAPE) before downloading, and leaves nothing behind', async () => {
    const c = await lab.client();
    const elsewhere = tempDir('elsewhere');
    symlinkSync(elsewhere, join(c.home.plugins, 'tock'));
    const before = userState(c.home.root);
    const err = (await c.install('tock').catch((e) => e)) as WharfError;
    expect(err.code).toBe('E_PATH_ESCAPE');
    expect(userState(c.home.root)).toEqual(before);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(tempLeftovers(c.home.root)).toEqual([]);
  });

  it('an edited lockfile hash stops run and fails verify (E_LOCK_MISMATCH)', async () => {
    const c = await lab.client();
    await c.install('tock');
    const lock = JSON.parse(readFileSync(c.home.lockfile, 'utf8'));
    lock.plugins.tock.sha256 = 'f'.repeat(64);
    writeFileSync(c.home.lockfile, JSON.stringify(lock));
    const err = (await c.run('tock', 'count_vowels', 'a').catch((e) => e)) as WharfError;
    expect(err.code).toBe('E_LOCK_MISMATCH');
    expect((await c.verify())[0]).toMatchObject({ id: 'tock', ok: false });
  });
});
