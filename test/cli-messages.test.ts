import { spawn } from 'node:child_process';
import { createReadStream, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACT_LIMITS } from '../client/src/install/download-artifact.js';
import { runCli, type ServedDemo, serveDemo, tempDir, WHARF, WHARF_ADMIN } from './helpers/demo.js';
import { createLab, type ReleaseLab } from './helpers/release-lab.js';
import { snapshotDir, tempLeftovers, userState } from './helpers/snapshot-dir.js';

// What a new user meets when something goes wrong, through the real `wharf` and `wharf-admin` processes: one
// line with an E_ code (one JSON document under --json), a hint at what to do, and no Node internals.

const jsonDoc = (stdout: string) => JSON.parse(stdout) as { error?: { code: string; message: string } };

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

describe('wharf messages', () => {
  let demo: ServedDemo;
  let box: string;
  let home: string; // a source `local` with count-vowels installed
  const wharf = (h: string, ...a: string[]) => runCli(WHARF, ['--home', h, ...a]);

  beforeAll(async () => {
    demo = await serveDemo(['count-vowels']);
    box = tempDir('messages');
    home = join(box, 'home');
    for (const args of [
      ['source', 'add', 'local', demo.server.url, '--root-sha256', demo.reg.rootSha256],
      ['refresh'],
      ['install', 'count-vowels'],
    ]) {
      const r = await wharf(home, ...args);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 60_000);
  afterAll(async () => {
    await demo?.close();
    if (box) rmSync(box, { recursive: true, force: true });
  });

  it('--json usage errors are one E_USAGE document on stdout, exit 2, no help text', async () => {
    for (const args of [['instal', 'x'], ['install'], ['list', '--bogus'], ['run', 'count-vowels'], []]) {
      const r = await wharf(home, '--json', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(jsonDoc(r.stdout).error?.code, args.join(' ')).toBe('E_USAGE');
    }
    const r = await wharf(home, '--json', 'instal', 'x');
    expect(jsonDoc(r.stdout).error?.message).toMatch(/did you mean install\?/);
  });

  it('an unknown command is one line with the suggestion, not the whole help', async () => {
    const r = await wharf(home, 'instal', 'count-vowels');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error E_USAGE: unknown command 'instal' \(did you mean install\?\)/);
    const missing = await wharf(home, 'install');
    expect(missing.stderr).toMatch(/^error E_USAGE: missing required argument 'spec'; usage: wharf install /);
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('`--json verify` on a mismatch prints one document: the refusal, carrying the results', async () => {
    const h = join(box, 'tampered');
    for (const args of [
      ['source', 'add', 'local', demo.server.url, '--root-sha256', demo.reg.rootSha256],
      ['install', 'count-vowels'],
    ])
      expect((await wharf(h, ...args)).code).toBe(0);
    const list = JSON.parse((await wharf(h, '--json', 'list')).stdout) as Array<{ path: string }>;
    writeFileSync(join(h, list[0]?.path as string), 'not the plugin');
    const r = await wharf(h, '--json', 'verify');
    expect(r.code).toBe(1);
    const doc = jsonDoc(r.stdout) as unknown as {
      error: { code: string; details: { results: Array<{ ok: boolean }> } };
    };
    expect(doc.error.code).toBe('E_LOCK_MISMATCH');
    expect(doc.error.details.results[0]?.ok).toBe(false);
  });

  it('an unknown plugin id suggests the closest ids', async () => {
    const r = await wharf(home, 'info', 'count-vowel');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error E_NOT_FOUND: .*did you mean count-vowels\?/i);
    const part = await wharf(home, 'install', 'vowels');
    expect(part.stderr).toMatch(/E_NOT_FOUND: .*did you mean count-vowels\?/i);
  });

  it('`source add` of a server that is not there is E_SOURCE_UNREACHABLE, and the home is unchanged', async () => {
    const h = join(box, 'unreachable');
    expect((await wharf(h, 'source', 'list')).code).toBe(0); // the home's own layout exists
    const before = snapshotDir(h);
    const r = await wharf(
      h,
      'source',
      'add',
      'gone',
      `http://127.0.0.1:${await closedPort()}`,
      '--root-sha256',
      demo.reg.rootSha256,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error E_SOURCE_UNREACHABLE: /);
    expect(r.stderr).not.toMatch(/E_ROOT_FINGERPRINT/);
    expect(snapshotDir(h)).toEqual(before);
    expect(tempLeftovers(h)).toEqual([]);
  });

  it('search, refresh and source test with no source say so, and how to add one', async () => {
    const h = join(box, 'empty');
    for (const args of [['search', 'markdown'], ['source', 'test'], ['refresh']]) {
      const r = await wharf(h, ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(/^error E_SOURCE_UNKNOWN: No source is configured.*wharf source add/);
      expect(r.stdout).toBe('');
      const j = await wharf(h, '--json', ...args);
      expect(jsonDoc(j.stdout).error?.code).toBe('E_SOURCE_UNKNOWN');
    }
  });

  it('`--input @missing.txt` names the option and the file, not a Node error', async () => {
    const r = await wharf(home, 'run', 'count-vowels', 'count_vowels', '--input', '@missing.txt');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error E_USAGE: --input @missing.txt: cannot read missing.txt: there is no such file.\n');
  });

  it('output into a closed pipe ends quietly (`wharf search | head`)', async () => {
    const child = spawn(process.execPath, [WHARF, '--home', home, 'search', 'vowels'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the reader is gone before the first line is written
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((ok) => child.on('close', ok));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('counts are singular for one: "1 plugin"', async () => {
    const r = await wharf(home, 'refresh');
    expect(r.stdout).toMatch(/^local: 1 plugin, /);
    const s = await wharf(home, 'stats');
    expect(s.stdout).toMatch(/\): 1 plugin, fetched/);
  });
});

describe('wharf-admin messages', () => {
  it('errors use the `error E_…:` form of wharf, usage errors are one line', async () => {
    const r = await runCli(WHARF_ADMIN, ['publish', join(tempDir('admin'), 'none')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error E_[A-Z_]+: /);
    const u = await runCli(WHARF_ADMIN, ['publsh', 'x']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/^error E_USAGE: unknown command 'publsh' \(did you mean publish\?\)/);
    expect(u.stderr.trimEnd().split('\n')).toHaveLength(1);
    const j = await runCli(WHARF_ADMIN, ['--json']);
    expect(j.code).toBe(2);
    expect(j.stderr).toBe('');
    expect(jsonDoc(j.stdout).error?.code).toBe('E_USAGE');
  });

  it('a busy port says how to pick another', async () => {
    const s = createServer();
    await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
    try {
      const port = String((s.address() as AddressInfo).port);
      const r = await runCli(WHARF_ADMIN, ['serve', tempDir('admin-serve'), '--port', port]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error E_USAGE: port ${port} .*in use; pick another with --port`));
    } finally {
      await new Promise<void>((ok) => s.close(() => ok()));
    }
  });
});

/** Serves the lab's artifacts but holds requests for `gated-*` forever: an install caught mid-download. */
async function holdingServer(dir: string) {
  const held: ServerResponse[] = [];
  let arrived!: () => void;
  const arrival = new Promise<void>((r) => {
    arrived = r;
  });
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] as string);
    if (/\/gated-/.test(path)) {
      held.push(res);
      arrived();
      return;
    }
    const p = join(dir, path);
    if (path.includes('..') || !existsSync(p)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': statSync(p).size });
    createReadStream(p).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrival,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

describe('Ctrl-C during an install', () => {
  let lab: ReleaseLab;
  let gate: Awaited<ReturnType<typeof holdingServer>>;
  beforeAll(async () => {
    lab = await createLab();
    gate = await holdingServer(lab.artifacts);
    await lab.add({ id: 'gated', version: '1.0.0', urlBase: gate.url });
    await lab.add({ id: 'net', version: '1.0.0' });
    await lab.add({
      id: 'net',
      version: '1.1.0',
      permissions: { allowed_hosts: ['api.example.com'], justifications: { allowed_hosts: 'fetches rates' } },
    });
    await lab.publish();
  });
  afterAll(async () => {
    await gate?.close();
    await lab?.close();
  });

  it('says it was interrupted and nothing changed, exits 130, and leaves the home as it was', async () => {
    const home = join(lab.root, 'ctrl-c-home');
    await lab.client(home);
    const child = spawn(process.execPath, [WHARF, '--home', home, 'install', 'gated'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((ok) => child.on('close', ok));
    await gate.arrival;
    // Mid-download: what the home holds now, minus the install's own lock and partial download.
    const before = snapshotDir(home);
    for (const k of Object.keys(before)) if (k === 'home.lock' || k.startsWith('tmp/')) delete before[k];
    const sent = performance.now();
    child.kill('SIGINT');
    const code = await closed;
    // At once, not when the held request's own deadline (10 s for headers) would have ended it: Ctrl-C aborts every
    // request of the process. A bound of half that deadline leaves a slow machine ~25× the time it takes here.
    expect(performance.now() - sent).toBeLessThan(ARTIFACT_LIMITS.headersTimeoutMs / 2);
    expect(stderr).toMatch(/^error E_INTERRUPTED: interrupted \(Ctrl-C\); nothing was changed/m);
    expect(code).toBe(130);
    const after = snapshotDir(home);
    delete after['tmp/']; // the install made its (now empty) download dir
    expect(after).toEqual(before);
    expect(tempLeftovers(home)).toEqual([]);
    expect(existsSync(join(home, 'home.lock'))).toBe(false);
  }, 60_000);

  // On a terminal, readline reads Ctrl-C as a key: at the permission prompt it must end the update the same way.
  it.runIf(existsSync('/usr/bin/script'))(
    'at the consent prompt of an update, on a terminal, too',
    async () => {
      const c = await lab.client(join(lab.root, 'prompt-home'));
      await c.install('net@1.0.0');
      const home = c.home.root;
      const before = userState(home);
      // script(1) gives the CLI a pseudo-terminal, so it asks; what we write is typed on that terminal.
      const cmd = [process.execPath, WHARF, '--home', home, 'update'].map((a) => `'${a}'`).join(' ');
      const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      const asked = new Promise<void>((ok) =>
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('Allow? [y/N]')) ok();
        }),
      );
      const closed = new Promise<number | null>((ok) => child.on('close', ok));
      await asked;
      child.stdin.write('\x03');
      const code = await closed;
      expect(out).toMatch(/error E_INTERRUPTED: interrupted \(Ctrl-C\); nothing was changed/);
      expect(code).toBe(130);
      expect(userState(home)).toEqual(before);
      expect(tempLeftovers(home)).toEqual([]);
      expect(existsSync(join(home, 'home.lock'))).toBe(false);
    },
    60_000,
  );
});
