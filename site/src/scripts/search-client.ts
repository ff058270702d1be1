// The page's side of the search worker, shared by /search/ and the live box on the home page: one worker per
// page, started on focus or the first keystroke, and only the newest query's answer is delivered.
import type { SearchFilters, SearchResult } from '../lib/search-engine';

export type Answer = SearchResult & { ms: number };
type Reply = ({ seq: number } & Answer) | { seq: number; error: string };

export interface SearchClient {
  /** Start the worker and let the engine fetch what it needs up front (the manifest). */
  warm(): void;
  /** Resolves with the answer, or undefined when a newer query overtook this one. Rejects when the index fails. */
  query(q: string, filters: SearchFilters, limit: number): Promise<Answer | undefined>;
  /** Drop any query still running (the box was cleared): its answer will not be delivered. */
  cancel(): void;
}

export function searchClient(root: string): SearchClient {
  let worker: Worker | undefined;
  let seq = 0;
  const pending = new Map<number, { ok(a: Answer | undefined): void; fail(e: Error): void }>();

  const start = (): Worker => {
    if (worker) return worker;
    worker = new Worker(new URL('./search-worker.ts', import.meta.url), { type: 'module' });
    worker.postMessage({ type: 'init', root });
    worker.onmessage = (ev: MessageEvent<Reply>) => {
      const { seq: n } = ev.data;
      const waiting = pending.get(n);
      pending.delete(n);
      if (!waiting) return;
      if ('error' in ev.data) waiting.fail(new Error(ev.data.error));
      else waiting.ok(ev.data);
    };
    return worker;
  };

  const cancel = () => {
    seq += 1;
    for (const [, p] of pending) p.ok(undefined);
    pending.clear();
  };

  return {
    warm: () => void start(),
    cancel,
    query(q, filters, limit) {
      const w = start();
      cancel(); // anything still waiting is stale now
      const n = seq;
      return new Promise((ok, fail) => {
        pending.set(n, { ok, fail });
        w.postMessage({ type: 'query', seq: n, q, filters, limit });
      });
    },
  };
}
