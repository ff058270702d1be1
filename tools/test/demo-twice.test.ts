import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// `npm start` twice on one demo dir: the second refuses while the first runs (it would re-sign the shared
// registry with its own artifact URLs and re-point the demo home), and a start after a stop, or after a killed
// one, gives a working demo. Real processes: tools/dist/demo/start.js and the wharf CLI.
const REPO = resolve(import.meta.dirname, '..', '..');
const START = join(REPO, 'tools', 'dist', 'demo', 'start.js');
const WHARF = join(REPO, 'client', 'bin', 'wharf.js');
const run = promisify(execFile);

interface Started {
  child: ChildProcessWithoutNullStreams;
  /** 'ready' once it prints its banner, or its exit code if it exits first. */
  outcome: Promise<'ready' | number>;
  out: () => string;
  closed: Promise<number | null>;
}

function start(dir: string): Started {
  const child = spawn(process.execPath, [START], {
    env: { ...process.env, WHARF_DEMO_DIR: dir, WHARF_PORT: '0', WHARF_SITE: 'off' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  const closed = new Promise<number | null>((ok) => child.on('close', ok));
  const outcome = new Promise<'ready' | number>((ok) => {
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes('Press Ctrl-C')) ok('ready');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void closed.then((code) => ok(code ?? -1));
  });
  return { child, outcome, out: () => out, closed };
}

const wharf = async (home: string, ...args: string[]) => {
  try {
    const r = await run(process.execPath, [WHARF, '--home', home, ...args]);
    return { code: 0, ...r };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
};

describe('npm start twice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-demo-twice-'));
  const home = join(dir, 'home');
  const running: Started[] = [];
  afterAll(async () => {
    for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await Promise.all(running.map((s) => s.closed));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second start refuses while the first runs, and the first keeps working', { timeout: 240_000 }, async () => {
    const first = start(dir);
    running.push(first);
    expect(await first.outcome, first.out()).toBe('ready');
    const url = /marketplace on (http:\/\/127\.0\.0\.1:\d+)/.exec(first.out())?.[1];

    const second = start(dir);
    running.push(second);
    expect(await second.outcome, second.out()).toBe(1);
    expect(second.out()).toMatch(
      new RegExp(
        `^error E_HOME_LOCKED: npm start is already running in .* \\(pid ${first.child.pid}, serving ${url}\\).*WHARF_DEMO_DIR=`,
        'm',
      ),
    );

    const r = await wharf(home, 'install', 'count-vowels');
    expect(r.code, r.stderr).toBe(0);
    const ran = await wharf(home, 'run', 'count-vowels', 'count_vowels', '--input', 'Hello World');
    expect(ran.stdout).toBe('{"count":3}');

    first.child.kill('SIGINT');
    expect(await first.closed).toBe(0);
    expect(existsSync(join(dir, 'start.pid'))).toBe(false);
  });

  it('a restart, even over the pid file of a killed start, gives a working demo', { timeout: 240_000 }, async () => {
    // What a start killed with SIGKILL leaves: the pid file of a process that is gone.
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((ok) => dead.on('close', ok));
    writeFileSync(join(dir, 'start.pid'), `${JSON.stringify({ pid: dead.pid })}\n`);
    const again = start(dir);
    running.push(again);
    expect(await again.outcome, again.out()).toBe('ready');
    for (const args of [['refresh'], ['install', 'greet'], ['verify']]) {
      const r = await wharf(home, ...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    again.child.kill('SIGINT');
    expect(await again.closed).toBe(0);
  });
});
