// Search runs here, off the main thread, so typing never waits on a query (DESIGN §9).
import { createEngine, type DocRow, type Filters } from '../lib/search-core.js';

type Engine = ReturnType<typeof createEngine>;
type Request = { type: 'init'; url: string } | { type: 'query'; seq: number; q: string; filters: Filters };

let engine: Promise<Engine> | undefined;

self.onmessage = async (ev: MessageEvent<Request>) => {
  const msg = ev.data;
  if (msg.type === 'init') {
    engine ??= fetch(msg.url).then(async (res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return createEngine(await res.text());
    });
    return;
  }
  try {
    if (!engine) throw new Error('not initialised');
    const e = await engine;
    const started = performance.now();
    const { total, rows } = e.query(msg.q, msg.filters);
    const ms = performance.now() - started;
    self.postMessage({ seq: msg.seq, total, rows: rows satisfies DocRow[], ms });
  } catch (err) {
    self.postMessage({ seq: msg.seq, error: String(err) });
  }
};
