import { AsyncLocalStorage } from 'node:async_hooks';
import { syncBuiltinESMExports } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { EXTISM_WORKER_OPTIONS, type Prestarted, type PrestartedWorker } from './prestart.js';

// The sandbox gives Extism no `timeoutMs`: rc13's timeout helper starts a `setTimeout` per call and per
// instantiation that it never clears (so a CLI lives out the whole timeout after its output, DESIGN §10), and after a
// timeout it respawns a worker that nothing closes. The sandbox keeps its own deadlines instead and, when one passes,
// terminates the plugin's worker itself. rc13 keeps that worker private while it instantiates (a start section that
// loops never hands it back), so the sandbox learns of it from Node's process 'worker' event: it is emitted in the
// async context that constructed the Worker, so an AsyncLocalStorage tells which sandbox instance it belongs to.

interface Owner {
  onWorker: (w: Worker) => void;
  prestarted?: Prestarted;
}
const owner = new AsyncLocalStorage<Owner>();
let listening = false;

/**
 * Runs `start` (which creates Extism workers) and hands every Worker it creates to `onWorker`. With `prestarted`
 * (prestart.ts), the first Worker rc13 constructs for exactly that worker script and options is the prestarted one.
 */
export function trackWorkers<T>(
  onWorker: (w: Worker) => void,
  start: () => Promise<T>,
  prestarted?: PrestartedWorker,
): Promise<T> {
  if (!listening) {
    listening = true;
    process.on('worker', (w: Worker) => owner.getStore()?.onWorker(w));
  }
  const pre = prestarted as Prestarted | undefined;
  if (!pre?.usable()) return owner.run({ onWorker }, start);
  const store: Owner = { onWorker, prestarted: pre };
  interceptWorkers();
  return owner.run(store, start).finally(() => {
    store.prestarted = undefined;
    releaseWorkers();
  });
}

// rc13 constructs its Worker as `new Worker(WORKER_URL, opts.nodeWorkerArgs)` through node:worker_threads' export
// (a property read at the call in its CommonJS build, a live binding in its ESM build), so while a sandbox with a
// prestarted worker instantiates, that export is a Proxy (set on Node's CommonJS exports object, which unlike an ES
// namespace can be assigned to, then synced to the ES one). Every other construction goes to Node's Worker unchanged.
const threads = process.getBuiltinModule('node:worker_threads');
// Kept process-wide: another copy of this module (a second evaluation of the bundle, as the code-cache training does)
// must not take the Proxy of the first for Node's Worker.
const REAL = Symbol.for('wharf.node-worker');
const kept = globalThis as { [REAL]?: typeof threads.Worker };
kept[REAL] ??= threads.Worker;
const RealWorker = kept[REAL];
let intercepting = 0;
const Intercepted: typeof RealWorker = new Proxy(RealWorker, {
  construct(target, args: ConstructorParameters<typeof RealWorker>, newTarget): object {
    const store = owner.getStore();
    const pre = store?.prestarted;
    if (store && pre && newTarget === Intercepted && isExtismWorker(pre, args)) {
      store.prestarted = undefined;
      const w = pre.adopt();
      store.onWorker(w);
      return w;
    }
    return Reflect.construct(target, args, newTarget === Intercepted ? target : newTarget);
  },
});

function isExtismWorker(pre: Prestarted, [url, options]: ConstructorParameters<typeof RealWorker>): boolean {
  return pre.usable() && String(url) === pre.url && JSON.stringify(options) === JSON.stringify(EXTISM_WORKER_OPTIONS);
}

function setWorkerExport(w: typeof RealWorker): void {
  (threads as { Worker: typeof RealWorker }).Worker = w;
  syncBuiltinESMExports();
}

function interceptWorkers(): void {
  if (intercepting++ === 0) setWorkerExport(Intercepted);
}

function releaseWorkers(): void {
  if (--intercepting === 0) setWorkerExport(RealWorker);
}
