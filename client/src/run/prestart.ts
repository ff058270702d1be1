import type { Worker } from 'node:worker_threads';

// Node takes ~40 ms to start the worker thread rc13 runs a plugin in (a second Node environment, then Extism's
// worker runtime, an ES module of its own). A `wharf run` spent that after its checks (lockfile, sha256,
// permissions, compiling the modules). prestartExtismWorker starts the very Worker rc13 would construct (its own
// worker script, with the options it would give) at once, so that the boot overlaps the checks; the sandbox then
// hands it to rc13 in place of a new one (extism-workers.ts). The plugin's modules still reach a worker only in
// rc13's "init" message, which it sends after openSandbox's checks. No top-level imports: every CLI start loads
// this (cli/entry.ts, and bin/wharf.cjs a copy of it).

/** The options rc13's createPlugin gives `new Worker` when the sandbox passes no nodeWorkerArgs (dist/*\/mod.js). */
export const EXTISM_WORKER_OPTIONS = { name: 'extism plugin', execArgv: ['--disable-warning=ExperimentalWarning'] };

export interface PrestartedWorker {
  /** Terminates the worker unless a sandbox adopted it; safe to call any number of times. */
  cancel(): void;
}

/** @internal What extism-workers.ts adopts. */
export interface Prestarted extends PrestartedWorker {
  readonly worker: Worker;
  /** Extism's worker script (a data: URL), as its build holds it. */
  readonly url: string;
  /** True when the worker can still be adopted (not cancelled, adopted, failed or exited). */
  usable(): boolean;
  /** Hands the worker over: our listeners go, and the worker keeps the process alive again like rc13's own. */
  adopt(): Worker;
}

// Where an early start leaves its worker. On globalThis: bin/wharf.cjs runs a copy of this module
// (dist/run/prestart.cjs) before the CLI bundle, which holds its own copy, is even compiled.
const SLOT = Symbol.for('wharf.prestarted-extism-worker');
const slot = globalThis as { [SLOT]?: PrestartedWorker | undefined };
/** Global options of `wharf` that take a value (cli/main.ts); a miss only means no early start. */
const VALUE_OPTIONS = new Set(['--home', '--source', '--timeout']);

/**
 * For the CLI's start (bin/wharf.cjs, then cli/entry.ts): when `argv` is a `wharf run`, start its worker now, beside
 * the loading of the CLI. The run command takes it with takePrestarted(); one nobody takes is unref'd, so it costs
 * CPU but never keeps the process alive.
 */
export function prestartForArgv(argv: string[]): void {
  if (slot[SLOT]) return;
  const args = argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) return;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('-') || a === '--') {
      if ((a === '--' ? args[i + 1] : a) === 'run') slot[SLOT] = prestartExtismWorker();
      return;
    }
    if (VALUE_OPTIONS.has(a)) i++;
  }
}

/** The worker prestartForArgv started, once. */
export function takePrestarted(): PrestartedWorker | undefined {
  const w = slot[SLOT];
  slot[SLOT] = undefined;
  return w;
}

/** Starts an Extism worker now; undefined when Node or Extism's build don't give what it needs (then nothing changes). */
export function prestartExtismWorker(): PrestartedWorker | undefined {
  try {
    const url = typeof WHARF_EXTISM_WORKER_URL === 'string' ? WHARF_EXTISM_WORKER_URL : extismWorkerUrl();
    if (url === undefined) return undefined;
    const { Worker } = process.getBuiltinModule('node:worker_threads');
    return track(new Worker(new URL(url), EXTISM_WORKER_OPTIONS), url);
  } catch {
    return undefined;
  }
}

function track(worker: Worker, url: string): Prestarted {
  let state: 'booting' | 'initialized' | 'gone' | 'adopted' = 'booting';
  const onMessage = (m: unknown) => {
    if ((m as { type?: unknown } | null)?.type === 'initialized' && state === 'booting') state = 'initialized';
  };
  const onGone = () => {
    if (state !== 'adopted') state = 'gone';
  };
  worker.on('message', onMessage);
  worker.on('error', onGone);
  worker.on('exit', onGone);
  // Until it is adopted, it keeps nothing alive, so a refusal exits as promptly as without it. After the 'message'
  // listener: adding one refs a Worker again.
  worker.unref();
  const detach = () => {
    worker.off('message', onMessage);
    worker.off('error', onGone);
    worker.off('exit', onGone);
  };
  return {
    worker,
    url,
    usable: () => state === 'booting' || state === 'initialized',
    adopt() {
      const seen = state === 'initialized';
      state = 'adopted';
      detach();
      worker.ref();
      // rc13 listens for "initialized" right after `new Worker` returns; when it came already, it gets it again.
      if (seen) process.nextTick(() => worker.emit('message', { type: 'initialized' }));
      return worker;
    },
    cancel() {
      if (state === 'adopted' || state === 'gone') return;
      state = 'gone';
      detach();
      // A late error of a worker being terminated has no one to report to.
      worker.on('error', () => {});
      void worker.terminate().catch(() => {});
    },
  };
}

/**
 * The copy bin/wharf.cjs runs has the URL built in (bundle-cli.mjs defines this), which saves it resolving and reading
 * Extism's build (~4 ms) before the worker can start. An Extism updated since is not adopted (a URL that differs).
 */
declare const WHARF_EXTISM_WORKER_URL: string | undefined;

/**
 * rc13's worker script, as its build holds it (`WORKER_URL = new URL("data:…")`). Adoption compares it with the URL
 * rc13 itself constructs a Worker with, so a build that differs only goes without the head start.
 */
export function extismWorkerUrl(): string | undefined {
  const { createRequire } = process.getBuiltinModule('node:module');
  const { readFileSync } = process.getBuiltinModule('node:fs');
  const { dirname, join } = process.getBuiltinModule('node:path');
  const main = createRequire(import.meta.url).resolve('@extism/extism');
  const text = readFileSync(join(dirname(main), 'mod.js'), 'latin1');
  const at = text.indexOf(URL_PREFIX);
  if (at < 0) return undefined;
  const start = at + URL_PREFIX.length - 'data:'.length;
  const url = text.slice(start, text.indexOf('"', start));
  return /^data:text\/javascript;base64,[A-Za-z0-9+/=]+$/.test(url) ? url : undefined;
}
const URL_PREFIX = 'WORKER_URL = new URL("data:';
