import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readLockfile, WharfClient } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, WHARF } from '../helpers/demo.js';
import { createLab, type ReleaseLab } from '../helpers/release-lab.js';
import { snapshotDir, tempLeftovers } from '../helpers/snapshot-dir.js';

// DESIGN §4: writers take one lock on the home, stale locks of dead processes are taken over, readers don't
// wait. Everything here runs real `wharf` processes against one home; the tests wait on events (a request
// reaching the server, a line from a child), never on which racer wins or how fast a child starts.

const HOLD = join(import.meta.dirname, 'hold-home-lock.mjs');

/** A real second process holding the home lock until release() (or kill()). */
async function holdLock(
  home: string,
): Promise<{ pid: number; child: ChildProcessWithoutNullStreams; release(): Promise<void> }> {
  const child = spawn(process.execPath, [HOLD, home], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const pid = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /held (\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`holder exited ${code}: ${err}`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    pid,
    child,
    release: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** Serves the lab's artifacts, but holds back matching requests until open(): an install caught mid-download. */
async function gateServer(dir: string, match: RegExp) {
  const held: ServerResponse[] = [];
  let open = false;
  let arrived!: () => void;
  const firstArrival = new Promise<void>((r) => {
    arrived = r;
  });
  const send = (path: string, res: ServerResponse) => {
    const p = join(dir, path);
    if (!existsSync(p)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': statSync(p).size, 'content-type': 'application/wasm' });
    createReadStream(p).pipe(res);
  };
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] as string);
    if (path.split('/').includes('..')) return res.writeHead(404).end();
    if (!open && match.test(path)) {
      held.push(Object.assign(res, { wharfPath: path }));
      arrived();
      return;
    }
    send(path, res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrived: firstArrival,
    open() {
      open = true;
      for (const res of held.splice(0)) send((res as ServerResponse & { wharfPath: string }).wharfPath, res);
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** The lockfile and plugins/ agree: every entry's bytes are there and verify, and every version dir is in it. */
async function expectConsistent(home: string, ids: string[]): Promise<void> {
  const c = new WharfClient({ home });
  const lock = readLockfile(c.home.lockfile);
  expect(Object.keys(lock.plugins).sort()).toEqual([...ids].sort());
  expect((await c.verify()).every((v) => v.ok)).toBe(true);
  const dirs = readdirSync(c.home.plugins).flatMap((p) =>
    readdirSync(join(c.home.plugins, p)).map((v) => `plugins/${p}/${v}/plugin.wasm`),
  );
  expect(dirs.sort()).toEqual(
    Object.values(lock.plugins)
      .map((e) => e.path)
      .sort(),
  );
  expect(tempLeftovers(home)).toEqual([]);
  expect(existsSync(join(home, 'home.lock'))).toBe(false);
}

describe('one writer lock on the home', () => {
  let lab: ReleaseLab;
  let gate: Awaited<ReturnType<typeof gateServer>>;
  const boxes: string[] = [];
  const wharf = (home: string, args: string[], env: Record<string, string> = {}) =>
    runCli(WHARF, ['--home', home, ...args], { env });

  beforeAll(async () => {
    lab = await createLab();
    gate = await gateServer(lab.artifacts, /\/gated-/);
    await lab.add({ id: 'alpha', version: '1.0.0' });
    await lab.add({ id: 'beta', version: '1.0.0' });
    await lab.add({ id: 'gated', version: '1.0.0', urlBase: gate.url });
    await lab.publish();
  });
  afterAll(async () => {
    for (const b of boxes) rmSync(b, { recursive: true, force: true });
    await gate?.close();
    await lab?.close();
  });

  const freshHome = async () => {
    const box = tempDir('lockhome');
    boxes.push(box);
    const home = join(box, 'home');
    await lab.client(home);
    return home;
  };

  it('two concurrent `wharf install`s of different plugins: both exit 0 and both are in the lockfile (4 runs)', async () => {
    for (let run = 0; run < 4; run++) {
      const home = await freshHome();
      const [a, b] = await Promise.all([wharf(home, ['install', 'alpha']), wharf(home, ['install', 'beta'])]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      await expectConsistent(home, ['alpha', 'beta']);
    }
  }, 240_000);

  it('two installs at once in one process (a host app with two clients on one home): both land', async () => {
    const home = await freshHome();
    await Promise.all([new WharfClient({ home }).install('alpha'), new WharfClient({ home }).install('beta')]);
    await expectConsistent(home, ['alpha', 'beta']);
  });

  it('uninstall racing an install: it waits for the lock, or gives up with E_HOME_LOCKED; never a lost change', async () => {
    const home = await freshHome();
    expect((await wharf(home, ['install', 'alpha'])).code).toBe(0);
    // The install of `gated` is held mid-download: past its lockfile read, before its lockfile write.
    const install = wharf(home, ['install', 'gated']);
    await gate.arrived;
    const before = snapshotDir(home);
    const quick = await wharf(home, ['uninstall', 'alpha'], { WHARF_LOCK_WAIT_MS: '200' });
    expect(quick.stderr).toMatch(/error E_HOME_LOCKED: .*wharf\.js .*install gated/);
    expect(quick.code).toBe(1);
    expect(snapshotDir(home)).toEqual(before);
    // A patient uninstall started now can only run after the install: the install holds the lock.
    const patient = wharf(home, ['uninstall', 'alpha']);
    gate.open();
    const [i, u] = await Promise.all([install, patient]);
    expect(i.code, i.stderr).toBe(0);
    expect(u.code, u.stderr).toBe(0);
    await expectConsistent(home, ['gated']);
  }, 120_000);

  it('a stale lock of a dead process is taken over at once, by exactly one of two racing installs at a time', async () => {
    const home = await freshHome();
    // A real process that has exited, recorded with its start time as a holder would: were its pid reused
    // meanwhile, the start time tells the new process apart.
    const dead = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const pid = dead.pid as number;
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : undefined; // Linux
    const start = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const exited = new Promise<void>((r) => dead.on('exit', () => r()));
    dead.kill('SIGKILL');
    await exited;
    const plant = () =>
      writeFileSync(
        join(home, 'home.lock'),
        JSON.stringify({
          pid,
          host: hostname(),
          start,
          token: 'deadbeefdeadbeef',
          since: new Date().toISOString(),
          command: 'wharf install (killed)',
        }),
      );
    plant();
    // No wait at all: the dead holder is noticed and replaced within the first try.
    const one = await wharf(home, ['install', 'alpha'], { WHARF_LOCK_WAIT_MS: '0' });
    expect(one.code, one.stderr).toBe(0);
    await expectConsistent(home, ['alpha']);
    plant();
    const [a, b] = await Promise.all([wharf(home, ['uninstall', 'alpha']), wharf(home, ['install', 'beta'])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    await expectConsistent(home, ['beta']);
  }, 120_000);

  it('the lock of a writer killed with SIGKILL is taken over by the next writer', async () => {
    const home = await freshHome();
    const h = await holdLock(home);
    const gone = new Promise<void>((r) => h.child.on('exit', () => r()));
    h.child.kill('SIGKILL');
    await gone;
    expect(existsSync(join(home, 'home.lock'))).toBe(true);
    const r = await wharf(home, ['install', 'alpha'], { WHARF_LOCK_WAIT_MS: '0' });
    expect(r.code, r.stderr).toBe(0);
    await expectConsistent(home, ['alpha']);
  });

  it('a live lock held past the bound: every writer refuses E_HOME_LOCKED naming the holder; the home is unchanged', async () => {
    const home = await freshHome();
    expect((await wharf(home, ['install', 'alpha'])).code).toBe(0);
    const h = await holdLock(home);
    try {
      const before = snapshotDir(home);
      for (const args of [
        ['install', 'beta'],
        ['uninstall', 'alpha'],
        ['update'],
        ['refresh'],
        ['source', 'remove', 'lab'],
        ['source', 'use', 'lab'],
      ]) {
        const r = await wharf(home, args, { WHARF_LOCK_WAIT_MS: '300' });
        expect(r.stderr, args.join(' ')).toMatch(new RegExp(`error E_HOME_LOCKED: .*process ${h.pid} `));
        expect(r.code).toBe(1);
        expect(snapshotDir(home)).toEqual(before);
        expect(tempLeftovers(home)).toEqual([]);
      }
    } finally {
      await h.release();
    }
    expect((await wharf(home, ['install', 'beta'], { WHARF_LOCK_WAIT_MS: '0' })).code).toBe(0);
    await expectConsistent(home, ['alpha', 'beta']);
  }, 180_000);

  it('readers never wait: list, search, info, outdated, verify and run work while a writer holds the lock', async () => {
    const home = await freshHome();
    expect((await wharf(home, ['install', 'alpha'])).code).toBe(0);
    const h = await holdLock(home);
    try {
      // A zero bound: a reader that took the lock would fail with E_HOME_LOCKED here.
      const env = { WHARF_LOCK_WAIT_MS: '0' };
      for (const args of [['list'], ['--json', 'search', 'alpha'], ['info', 'alpha'], ['outdated'], ['verify']]) {
        const r = await wharf(home, args, env);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      }
      const run = await wharf(home, ['run', 'alpha', 'count_vowels', '--input', 'aeiou'], env);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ count: 5 });
    } finally {
      await h.release();
    }
  }, 120_000);
});
