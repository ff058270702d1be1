// One row per figure for `npm run bench` (bench/run-all.mjs): each bench prints its own lines as before and, when
// run by the aggregate, also appends its figures with the floor it was measured against in the same run.
import { appendFileSync } from 'node:fs';

/**
 * @param {string} bench  the bench's folder name
 * @param {Array<{ what: string, ms: number, floor?: string, floorMs?: number, budget?: string, ok?: boolean }>} rows
 */
export function report(bench, rows) {
  const file = process.env.WHARF_BENCH_REPORT;
  if (!file) return;
  for (const r of rows) appendFileSync(file, `${JSON.stringify({ bench, ...r })}\n`);
}
