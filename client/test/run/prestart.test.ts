import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { LockEntry } from '@wharf/schemas';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WHARF } from '../../../test/helpers/demo.js';
import { homePaths } from '../../src/home.js';
import { lockPathFor, writeLockfile } from '../../src/lockfile.js';
import { loadPlugin } from '../../src/run/load-plugin.js';
import { type Prestarted, prestartExtismWorker, prestartForArgv, takePrestarted } from '../../src/run/prestart.js';

// `wharf run` starts the Extism worker before its checks (prestart.ts), so that Node's ~40 ms worker boot overlaps
// them. What must hold: the sandbox runs the plugin in that worker (no second one is started); the worker gets no
// plugin bytes before the lockfile check passed; and when a check fails, it is terminated.

const WASM = readFileSync(resolve(import.meta.dirname, '../../../examples/count-vowels/plugin.wasm'));
const ID = 'count-vowels';

function makeHome(bytes: Uint8Array, pinned: Uint8Array = bytes) {
  const root = mkdtempSync(join(tmpdir(), 'wharf-prestart-'));
  const home = homePaths(root);
  const sha256 = createHash('sha256').update(pinned).digest('hex');
  const path = lockPathFor(ID, '0.1.0', sha256);
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), bytes);
  const entry: LockEntry = {
    id: ID,
    source: 'local',
    version: '0.1.0',
    sha256,
    size: pinned.byteLength,
    keyid: '',
    index_version: 0,
    path,
    permissions: { justifications: {} },
    exports: [{ name: 'count_vowels' }],
    installed_at: new Date(0).toISOString(),
  };
  writeLockfile(home.lockfile, { lockfile_version: 1, plugins: { [ID]: entry } });
  return home;
}

/** The prestarted worker, and every message the main thread posts to it after the worker URL. */
function prestart() {
  const pre = prestartExtismWorker() as Prestarted | undefined;
  if (!pre) throw new Error('prestartExtismWorker gave nothing');
  const posted: unknown[] = [];
  const post = pre.worker.postMessage.bind(pre.worker);
  pre.worker.postMessage = (m: unknown, t?: never) => {
    posted.push(m);
    post(m, t);
  };
  return { pre, posted };
}

const exited = (w: Worker) =>
  new Promise<number>((res, rej) => {
    const t = setTimeout(() => rej(new Error('the prestarted worker is still running')), 5_000);
    w.once('exit', (code) => {
      clearTimeout(t);
      res(code);
    });
  });

describe('a prestarted Extism worker', () => {
  const roots: string[] = [];
  /** Workers constructed during a case, other than the prestarted one. */
  let workers: Worker[] = [];
  const onWorker = (w: Worker) => workers.push(w);
  const others = (pre: Prestarted) => workers.filter((w) => w !== pre.worker).length;
  beforeAll(() => {
    process.on('worker', onWorker);
  });
  afterAll(() => {
    process.off('worker', onWorker);
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  afterEach(() => {
    workers = [];
  });

  it.each([
    ['still booting', false],
    ['already initialized', true],
  ])('runs the plugin, with no second worker started (%s)', async (_, wait) => {
    const home = makeHome(WASM);
    roots.push(home.root);
    const { pre, posted } = prestart();
    if (wait) await once(pre.worker, 'message');
    const p = await loadPlugin(home, ID, { worker: pre });
    try {
      expect(others(pre)).toBe(0);
      expect(Buffer.from(await p.call('count_vowels', 'hello')).toString()).toBe('{"count":2}');
      // rc13's init message (the modules) went to the prestarted worker.
      expect(posted.some((m) => (m as { type?: string }).type === 'init')).toBe(true);
    } finally {
      const gone = exited(pre.worker);
      await p.close();
      await gone;
    }
  });

  it('a tampered plugin is refused (E_LOCK_MISMATCH); the worker got no plugin bytes and is terminated', async () => {
    const tampered = Uint8Array.from(WASM);
    tampered[tampered.length - 1] ^= 1;
    const home = makeHome(tampered, WASM);
    roots.push(home.root);
    const { pre, posted } = prestart();
    const gone = exited(pre.worker);
    await expect(loadPlugin(home, ID, { worker: pre })).rejects.toMatchObject({ code: 'E_LOCK_MISMATCH' });
    await gone;
    expect(posted).toEqual([]);
    expect(others(pre)).toBe(0);
  });

  it('an undeclared config key is refused (E_PERMISSION_UNKNOWN) and the worker is terminated', async () => {
    const home = makeHome(WASM);
    roots.push(home.root);
    const { pre, posted } = prestart();
    const gone = exited(pre.worker);
    await expect(loadPlugin(home, ID, { worker: pre, config: { k: 'v' } })).rejects.toMatchObject({
      code: 'E_PERMISSION_UNKNOWN',
    });
    await gone;
    expect(posted).toEqual([]);
  });

  it('a cancelled one is not adopted: the sandbox starts its own worker', async () => {
    const home = makeHome(WASM);
    roots.push(home.root);
    const { pre } = prestart();
    const gone = exited(pre.worker);
    pre.cancel();
    await gone;
    const p = await loadPlugin(home, ID, { worker: pre });
    try {
      expect(others(pre)).toBe(1);
      expect(Buffer.from(await p.call('count_vowels', 'aei')).toString()).toBe('{"count":3}');
    } finally {
      await p.close();
    }
  });
});

describe('`wharf run` with its prestarted worker', () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  const run = (root: string, preload: string[] = []) => {
    const t = performance.now();
    const args = [...preload, WHARF, '--home', root, 'run', ID, 'count_vowels', '--input', 'hello'];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 20_000 });
    return { ...r, ms: performance.now() - t };
  };

  it('runs the plugin in the one worker it started early', () => {
    const home = makeHome(WASM);
    roots.push(home.root);
    // Reports, at exit, every Worker the process constructed and whether it was unref'd (only a prestarted one is).
    const probe = join(home.root, 'probe.cjs');
    writeFileSync(
      probe,
      `const { Worker } = require('node:worker_threads');
const seen = [];
const unref = Worker.prototype.unref;
Worker.prototype.unref = function () { this.prestarted = true; return unref.call(this); };
process.on('worker', (w) => seen.push(w));
process.on('exit', () => process.stderr.write(JSON.stringify(seen.map((w) => Boolean(w.prestarted)))));`,
    );
    const r = run(home.root, ['-r', probe]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('{"count":2}');
    expect(r.stderr).toBe('[true]');
  });

  it('refuses a tampered plugin with E_LOCK_MISMATCH and exits at once (no worker keeps it alive)', () => {
    const tampered = Uint8Array.from(WASM);
    tampered[tampered.length - 1] ^= 1;
    const home = makeHome(tampered, WASM);
    roots.push(home.root);
    const r = run(home.root);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /E_LOCK_MISMATCH: .*plugin\.wasm has sha256 [0-9a-f]{12}…, the lockfile pins [0-9a-f]{12}…; reinstall it\./,
    );
    expect(r.ms).toBeLessThan(5_000);
  });

  it('a usage error after the early start exits at once: the worker nobody took keeps nothing alive', () => {
    const home = makeHome(WASM);
    roots.push(home.root);
    const t = performance.now();
    const r = spawnSync(process.execPath, [WHARF, '--home', home.root, 'run', ID], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/E_USAGE: missing required argument 'export'/);
    expect(performance.now() - t).toBeLessThan(5_000);
  });
});

describe("the CLI entry's early start", () => {
  const argv = (...a: string[]) => [process.execPath, 'wharf', ...a];
  it.each([
    [['run', 'x', 'y'], true],
    [['--home', '/h', '--json', 'run', 'x', 'y'], true],
    [['--source', 'run', 'list'], false],
    [['--timeout', '5', '--offline', 'run', 'x', 'y', '--input', 'a'], true],
    [['run', 'x', 'y', '--help'], false],
    [['list'], false],
    [['search', 'run'], false],
    [['help', 'run'], false],
    [['--version'], false],
  ])('%j starts a worker: %s', async (args, starts) => {
    prestartForArgv(argv(...args));
    const w = takePrestarted() as Prestarted | undefined;
    expect(w !== undefined).toBe(starts);
    expect(takePrestarted()).toBeUndefined(); // taken once
    if (w) {
      const gone = exited(w.worker);
      w.cancel();
      await gone;
    }
  });
});
