import { AsyncLocalStorage } from 'node:async_hooks';
import type { Worker } from 'node:worker_threads';

// The sandbox gives Extism no `timeoutMs`: rc13's timeout helper starts a `setTimeout` per call and per
// instantiation that it never clears (so a CLI lives out the whole timeout after its output, DESIGN §10), and after a
// timeout it respawns a worker that nothing closes. The sandbox keeps its own deadlines instead and, when one passes,
// terminates the plugin's worker itself. rc13 keeps that worker private while it instantiates (a start section that
// loops never hands it back), so the sandbox learns of it from Node's process 'worker' event: it is emitted in the
// async context that constructed the Worker, so an AsyncLocalStorage tells which sandbox instance it belongs to.

const owner = new AsyncLocalStorage<(w: Worker) => void>();
let listening = false;

/** Runs `start` (which creates Extism workers) and hands every Worker it creates to `onWorker`. */
export function trackWorkers<T>(onWorker: (w: Worker) => void, start: () => Promise<T>): Promise<T> {
  if (!listening) {
    listening = true;
    process.on('worker', (w: Worker) => owner.getStore()?.(w));
  }
  return owner.run(onWorker, start);
}
