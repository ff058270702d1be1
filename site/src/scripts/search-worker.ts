// Search runs here, off the main thread, so typing never waits on a query (DESIGN §9). The engine behind it is
// whatever lib/search-engine.ts opens; this file only speaks the page's protocol (search-client.ts).
import { openEngine, type SearchEngine, type SearchFilters } from '../lib/search-engine';

type Request =
  | { type: 'init'; root: string }
  | { type: 'query'; seq: number; q: string; filters: SearchFilters; limit: number };

let engine: Promise<SearchEngine> | undefined;

const load = async (url: string): Promise<string> => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
  return res.text();
};

self.onmessage = async (ev: MessageEvent<Request>) => {
  const msg = ev.data;
  if (msg.type === 'init') {
    engine ??= openEngine(msg.root, load);
    return;
  }
  try {
    if (!engine) throw new Error('not initialised');
    const e = await engine;
    const started = performance.now();
    const result = await e.query(msg.q, msg.filters, msg.limit);
    const ms = performance.now() - started;
    self.postMessage({ seq: msg.seq, ...result, ms });
  } catch (err) {
    self.postMessage({ seq: msg.seq, error: String(err) });
  }
};
