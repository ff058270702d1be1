import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WharfClient } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODE_WAT, HOSTILE_WAT, TABLES_WAT } from '../client/test/run/wat-plugins.js';
import { REPO, tempDir, WHARF } from './helpers/demo.js';
import { type FaultServer, startFaultServer } from './helpers/fault-server.js';
import { type LocalRegistry, localRegistry, manifestFor, wat2wasm } from './host/local-registry.js';

// DESIGN §4 Run: the process ends when the call's output is written; nothing of the SDK (its timeout timer, its
// worker) may keep it alive. Each case runs a real process (the `wharf` binary, or a host app on the library)
// against plugins whose timeout_ms is 30 s, and asserts the process exits well before that: rc13's own timer would
// keep it alive for the whole 30 s. Measured by events (spawn → output → exit), with a wide margin.

const PLUGIN_TIMEOUT_MS = 30_000;
/** Half the plugin's timeout: a process kept alive by an SDK timer cannot exit before it. */
const PROMPT_MS = 15_000;
/** The test gives up on a process (and kills it) here, so a regression fails the assertion instead of hanging. */
const GIVE_UP_MS = 40_000;

interface Timed {
  code: number | null;
  stdout: string;
  stderr: string;
  /** ms from spawn to the process's exit (Infinity if it had to be killed). */
  exitMs: number;
  /** ms from spawn to the first stdout bytes. */
  firstOutputMs?: number;
}

function track(child: ChildProcess, onStdout?: (all: string) => void): Promise<Timed> {
  const t0 = performance.now();
  let stdout = '';
  let stderr = '';
  let firstOutputMs: number | undefined;
  child.stdout?.on('data', (d) => {
    firstOutputMs ??= performance.now() - t0;
    stdout += d;
    onStdout?.(stdout);
  });
  child.stderr?.on('data', (d) => (stderr += d));
  const giveUp = setTimeout(() => child.kill('SIGKILL'), GIVE_UP_MS);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(giveUp);
      const exitMs = signal === 'SIGKILL' ? Number.POSITIVE_INFINITY : performance.now() - t0;
      resolve({ code, stdout, stderr, exitMs, ...(firstOutputMs !== undefined ? { firstOutputMs } : {}) });
    });
  });
}

describe('processes exit as soon as the work is done', () => {
  let reg: LocalRegistry;
  let trickle: FaultServer;
  let root: string;
  let home: string;
  const wharf = (...args: string[]) =>
    track(spawn(process.execPath, [WHARF, '--home', home, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));

  beforeAll(async () => {
    reg = await localRegistry();
    root = tempDir('run-exit');
    home = join(root, 'home');
    const slow = { timeout_ms: PLUGIN_TIMEOUT_MS, justifications: { timeout_ms: 'tests that nothing waits it out' } };
    const rc = manifestFor('rc-probe', '1.0.0', 'code', slow);
    rc.exports = [{ name: 'code' }, { name: 'count' }];
    await reg.publish(rc, await wat2wasm(EXIT_CODE_WAT));
    const tables = manifestFor('tables', '1.0.0', 'table_bomb', {
      timeout_ms: 1_000,
      justifications: { timeout_ms: 'the spin export runs into it' },
    });
    tables.exports = [{ name: 'table_bomb' }, { name: 'table_spin' }];
    await reg.publish(tables, await wat2wasm(TABLES_WAT));
    const hostile = manifestFor('hostile', '1.0.0', 'fetch', {
      timeout_ms: 1_000,
      allowed_hosts: ['127.0.0.1'],
      justifications: { timeout_ms: 'the fetch runs into it', allowed_hosts: 'a test server' },
    });
    await reg.publish(hostile, await wat2wasm(HOSTILE_WAT));
    // 1 byte a second of a 100-byte body: the plugin's 1 s deadline passes while the host reads it.
    writeFileSync(join(root, 'x.json'), 'x'.repeat(100));
    trickle = await startFaultServer(root, { fault: 'slow' });
    const c = new WharfClient({ home });
    await c.addSource({ alias: 'local', url: reg.url, rootSha256: reg.rootSha256 });
    await c.refresh();
    await c.install('rc-probe');
    await c.install('tables');
    await c.install('hostile');
  }, 60_000);
  afterAll(async () => {
    await trickle?.close();
    await reg?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it(
    '`wharf run` exits right after its output, long before the plugin timeout',
    async () => {
      const r = await wharf('run', 'rc-probe', 'count');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toHaveLength(1);
      expect(r.firstOutputMs).toBeDefined();
      expect(r.exitMs).toBeLessThan(PROMPT_MS);
    },
    GIVE_UP_MS + 10_000,
  );

  it(
    '`wharf run` of an export returning non-zero: E_PLUGIN_FAILED, exit 1, no output, and it exits',
    async () => {
      const r = await wharf('run', 'rc-probe', 'code', '--input', 'abcd');
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/E_PLUGIN_FAILED.*return code 4/);
      expect(r.exitMs).toBeLessThan(PROMPT_MS);
    },
    GIVE_UP_MS + 10_000,
  );

  it(
    '`wharf run` of table.grow in a loop: refused at the cap (E_PLUGIN_TRAP), or past its timeout (E_PLUGIN_TIMEOUT); it exits either way',
    async () => {
      const bomb = await wharf('run', 'tables', 'table_bomb');
      expect(bomb.code).toBe(1);
      expect(bomb.stderr).toMatch(/E_PLUGIN_TRAP/);
      expect(bomb.exitMs).toBeLessThan(PROMPT_MS);
      const spin = await wharf('run', 'tables', 'table_spin');
      expect(spin.code).toBe(1);
      expect(spin.stderr).toMatch(/E_PLUGIN_TIMEOUT/);
      expect(spin.exitMs).toBeLessThan(PROMPT_MS);
    },
    2 * GIVE_UP_MS + 10_000,
  );

  it(
    '`wharf run` whose HTTP body trickles past the deadline: E_PLUGIN_TIMEOUT, and it exits',
    async () => {
      const r = await wharf('run', 'hostile', 'fetch', '--input', JSON.stringify({ url: `${trickle.url}/x.json` }));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/E_PLUGIN_TIMEOUT/);
      expect(r.exitMs).toBeLessThan(PROMPT_MS);
    },
    GIVE_UP_MS + 10_000,
  );

  it(
    'a host app on the library exits after close() without calling process.exit',
    async () => {
      const script = `
        import { createHost } from '@wharf/client';
        const host = await createHost({ home: ${JSON.stringify(home)}, offline: true });
        const p = await host.load('rc-probe');
        const out = await p.call('count');
        await p.call('code', 'xyz').catch((e) => process.stdout.write(e.code + ' '));
        process.stdout.write(String(out.byteLength));
        await host.close();`;
      const r = await track(
        spawn(process.execPath, ['--input-type=module', '-e', script], {
          cwd: REPO,
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('E_PLUGIN_FAILED 1');
      expect(r.exitMs).toBeLessThan(PROMPT_MS);
    },
    GIVE_UP_MS + 10_000,
  );

  it(
    '`wharf mcp` exits promptly when the client closes stdin after a tools/call',
    async () => {
      const child = spawn(process.execPath, [WHARF, '--home', home, 'mcp'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const send = (m: object) => child.stdin?.write(`${JSON.stringify(m)}\n`);
      let hungUpAt = 0;
      const done = track(child, (all) => {
        if (hungUpAt === 0 && /"id":2/.test(all)) {
          hungUpAt = performance.now();
          child.stdin?.end();
        }
      });
      send({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
      });
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      send({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'rc-probe__count', arguments: { input: '' } },
      });
      const r = await done;
      const reply = r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { id?: number; result?: { content: { text: string }[]; isError?: boolean } })
        .find((m) => m.id === 2);
      expect(reply?.result?.isError, r.stderr).toBeFalsy();
      expect(reply?.result?.content[0]?.text).toHaveLength(1);
      expect(hungUpAt).toBeGreaterThan(0);
      expect(r.code, r.stderr).toBe(0);
      expect(r.exitMs).toBeLessThan(PROMPT_MS);
    },
    GIVE_UP_MS + 10_000,
  );
});
