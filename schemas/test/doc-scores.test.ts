import { describe, expect, it } from 'vitest';
import { DocScores } from '../src/search-index/doc-scores.js';

describe('DocScores', () => {
  it('keeps each doc its best positive score, as a Map did, also past its first capacity', () => {
    const d = new DocScores(1);
    const ref = new Map<number, number>();
    for (let i = 0; i < 5000; i++) {
      const doc = (i * 7919) % 1237;
      const s = ((i * 31) % 17) - 3;
      d.keepMax(doc, s);
      if (s > (ref.get(doc) ?? 0)) ref.set(doc, s);
    }
    expect(d.size).toBe(ref.size);
    expect([...d.docs.subarray(0, d.size)]).toEqual([...ref.keys()]);
    for (const [doc, s] of ref) expect([d.has(doc), d.get(doc)]).toEqual([true, s]);
    expect([d.has(99999), d.get(99999)]).toEqual([false, 0]);
  });
});
