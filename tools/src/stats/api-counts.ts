import { WharfError } from '@wharf/schemas';

/** The largest count the registry stores (registry.schema.json: stats.downloads/stars maximum). */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/**
 * A count from an API answer, validated like any network input: a non-negative integer JSON number. A number past
 * MAX_COUNT is clamped (it is a real, if absurd, count, and JSON can't carry it exactly anyway; JSON.parse reads 1e400 as Infinity); anything else —
 * negative, fractional, NaN-like, a string, null — is refused, so the plugin keeps its old numbers.
 */
export function apiCount(value: unknown, what: string): number {
  // Octokit's JSON reader returns integers past 2^53 as bigint.
  if (typeof value === 'bigint') {
    if (value < 0n) throw new WharfError('E_SCHEMA', `${what} is negative (${value}).`);
    return value >= BigInt(MAX_COUNT) ? MAX_COUNT : Number(value);
  }
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new WharfError('E_SCHEMA', `${what} is not a number (${describe(value)}).`);
  if (value < 0) throw new WharfError('E_SCHEMA', `${what} is negative (${value}).`);
  if (value >= MAX_COUNT) return MAX_COUNT;
  if (!Number.isInteger(value)) throw new WharfError('E_SCHEMA', `${what} is not a whole number (${value}).`);
  return value;
}

/** a + b, saturating at MAX_COUNT. */
export function addCounts(a: number, b: number): number {
  return Math.min(MAX_COUNT, a + b);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.slice(0, 40))}`;
  return typeof v;
}
