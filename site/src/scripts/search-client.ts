// The page's side of the search, shared by /search/ and the live box on the home page: the engine is loaded
// on focus or the first keystroke (its own chunk, fetched then), and only the newest query's answer is
// delivered. The engine runs on this thread: a warm query is ~0.5 ms, and two hops to a worker and back cost
// more than the query itself (bench/site: warm keystroke p95 8.6–14 ms through a worker). Fetches stay async,
// so a chunk on its way never blocks typing; only its JSON parse runs here, once per chunk. The manifest's
// fetch starts beside the engine chunk's, not after it: on a cold page they are two round trips at once.
import type { SearchEngine, SearchFilters, SearchResult } from '../lib/search-engine';
import { manifestUrl } from '../lib/search-index-url';

export type Answer = SearchResult & { ms: number };

export interface SearchClient {
  /** Load the engine and let it fetch what it needs up front (the manifest). */
  warm(): void;
  /**
   * Resolves with the answer, or undefined when a newer query overtook this one. Rejects when the index fails.
   * `onPartial` gets the top hits early while the rest load (only while this query is the newest).
   */
  query(
    q: string,
    filters: SearchFilters,
    limit: number,
    onPartial?: (partial: SearchResult) => void,
  ): Promise<Answer | undefined>;
  /** Drop any query still running (the box was cleared): its answer will not be delivered. */
  cancel(): void;
}

const load = async (url: string): Promise<string> => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
  return res.text();
};

export function searchClient(root: string): SearchClient {
  let engine: Promise<SearchEngine> | undefined;
  let seq = 0;

  const start = (): Promise<SearchEngine> => {
    if (engine) return engine;
    const manifest = load(manifestUrl(root));
    manifest.catch(() => {}); // seen by openEngine; a failed import must not leave it unhandled
    const opening = import('../lib/search-engine').then((m) => m.openEngine(root, load, manifest));
    // A failed open is retried on the next query rather than failing every query after it.
    opening.catch(() => {
      if (engine === opening) engine = undefined;
    });
    engine = opening;
    return opening;
  };

  return {
    warm: () => void start(),
    cancel: () => {
      seq += 1;
    },
    async query(q, filters, limit, onPartial) {
      const n = ++seq; // anything still waiting is stale now
      const e = await start();
      if (n !== seq) return undefined;
      const started = performance.now();
      const early = onPartial && ((r: SearchResult) => void (n === seq && onPartial(r)));
      const result = await e.query(q, filters, limit, early);
      const ms = performance.now() - started;
      return n === seq ? { ...result, ms } : undefined;
    },
  };
}
