import { BaseFetcher } from 'tuf-js';
import { DownloadHTTPError } from 'tuf-js/dist/error.js';
import { DEFAULT_LIMITS, FetchFailure, type FetchLimits, fetchChunks } from './http-fetch.js';

/**
 * tuf-js's own fetcher has one flat timeout and no throughput floor; this one gives every request the
 * header deadline, stall timer and minimum throughput of `fetchChunks`. It remembers which URLs it served,
 * so a verification failure can be pinned on the mirror that caused it.
 */
export class DeadlineFetcher extends BaseFetcher {
  readonly served: string[] = [];
  constructor(private readonly limits: FetchLimits = DEFAULT_LIMITS) {
    super();
  }

  override async fetch(url: string): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    const it = fetchChunks(url, this.limits);
    // Pull the first chunk now so that HTTP and network errors surface from fetch(), as tuf-js expects.
    let first: IteratorResult<Uint8Array>;
    try {
      first = await it.next();
    } catch (e) {
      // tuf-js needs its own class to read a 404 on the next root version as "no newer root".
      if (e instanceof FetchFailure && e.status !== undefined) throw new DownloadHTTPError(e.message, e.status);
      throw e;
    }
    this.served.push(url);
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      start(ctrl) {
        if (first.done) ctrl.close();
        else ctrl.enqueue(first.value as Uint8Array<ArrayBuffer>);
      },
      async pull(ctrl) {
        const n = await it.next();
        if (n.done) ctrl.close();
        else ctrl.enqueue(n.value as Uint8Array<ArrayBuffer>);
      },
      async cancel() {
        await it.return(undefined);
      },
    });
  }
}
