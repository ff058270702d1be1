// The search pages' counts are grouped by hand (site/src/lib/text.ts groupDigits): Intl's first number format
// in a page cost 40–65 ms in Chromium, on the first answer. The hand rule must write what Intl writes for the
// site's two locales.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupDigits } from '../../site/src/lib/text.js';

describe('groupDigits', () => {
  it('writes a count as en-US and zh-CN do', () => {
    for (const n of [0, 1, 999, 1000, 12_345, 100_000, 1_000_000]) {
      expect(groupDigits(n)).toBe(n.toLocaleString('en-US'));
      expect(groupDigits(n)).toBe(n.toLocaleString('zh-CN'));
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(groupDigits(n)).toBe(n.toLocaleString('en-US'));
        expect(groupDigits(n)).toBe(n.toLocaleString('zh-CN'));
      }),
    );
  });
});
