// The download deadlines, apart from http-fetch.ts: every CLI start reads them (--timeout), and that module
// loads the network stack and ipaddr.js.

export interface FetchLimits {
  /** Deadline for the response headers (connect + first byte), per redirect hop. */
  headersTimeoutMs: number;
  /** The body must keep arriving: a stall longer than this aborts it. Reset on every chunk. */
  stallTimeoutMs: number;
  /** Minimum average throughput once the first byte arrived, checked after `stallTimeoutMs`. */
  minBytesPerSec: number;
  /** Total deadline for the whole transfer. */
  totalTimeoutMs: number;
}

export const DEFAULT_LIMITS: FetchLimits = {
  headersTimeoutMs: 5_000,
  stallTimeoutMs: 3_000,
  minBytesPerSec: 4_096,
  totalTimeoutMs: 30_000,
};
