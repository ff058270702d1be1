// bestRanked against the full sort it stands for: score high to low, then doc number low to high, cut at `keep`.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bestRanked } from '../src/search-index/query-index.js';

const reference = (docs: number[], scores: number[], keep: number): Array<[number, number]> =>
  docs
    .map((d, i) => [d, scores[i] as number] as [number, number])
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, Math.max(0, keep));

describe('bestRanked', () => {
  it('keeps the best `keep` as the full sort does, ties by the thousand included', () => {
    // Few distinct scores, so that the cut falls inside a run of ties (docs sharing a description).
    const matches = fc
      .uniqueArray(fc.integer({ min: 0, max: 100_000 }), { maxLength: 400 })
      .chain((docs) =>
        fc.tuple(
          fc.constant(docs),
          fc.array(fc.constantFrom(0.5, 1, 1.25, 3), { minLength: docs.length, maxLength: docs.length }),
          fc.integer({ min: -1, max: docs.length + 2 }),
        ),
      );
    fc.assert(
      fc.property(matches, ([docs, scores, keep]) => {
        expect(bestRanked(docs, scores, keep)).toEqual(reference(docs, scores, keep));
      }),
      { numRuns: 500 },
    );
    // 2,000 docs at one score: the lowest numbers come out, in order.
    const docs = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 2000);
    const scores = new Float64Array(2000).fill(2);
    expect(bestRanked(docs, scores, 10)).toEqual(Array.from({ length: 10 }, (_, i) => [i, 2]));
  });
});
