import { isWharfError } from '@wharf/schemas';
import fc from 'fast-check';

/** Runs per property: a short run in `npm test`, a long one with `npm run fuzz` (WHARF_FUZZ_RUNS). */
export const FUZZ_RUNS = Number(process.env.WHARF_FUZZ_RUNS ?? 200);

/**
 * A parser of outside input may accept or refuse, but a refusal must be a WharfError with an E_ code:
 * never a crash, a raw TypeError/RangeError or a stack overflow.
 */
export function onlyWharfErrors<T>(parse: (input: T) => unknown): (input: T) => void {
  return (input) => {
    try {
      parse(input);
    } catch (e) {
      if (isWharfError(e) && /^E_[A-Z_]+$/.test(e.code)) return;
      throw e;
    }
  };
}

/** fc.assert with the run count above; seed and path are printed by fast-check on failure. */
export function fuzz<T>(arb: fc.Arbitrary<T>, parse: (input: T) => unknown): void {
  fc.assert(fc.property(arb, onlyWharfErrors(parse)), { numRuns: FUZZ_RUNS });
}
