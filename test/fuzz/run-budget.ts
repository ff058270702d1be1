import { FUZZ_RUNS } from './only-wharf-errors.js';

/**
 * Per-test timeout for a property: the slowest of these (the WXAUTO registry and form) take about 6 ms a run here,
 * so 25 ms a run leaves room for a machine 3x slower; never below vitest's default 60 s.
 */
export const FUZZ_TIMEOUT_MS = Math.max(60_000, FUZZ_RUNS * 25);
