// `wharf search --tag` on a sharded source: the tagged docs are found however far down the query's ranking they
// are, within TAG_SCAN_DOCS, with the index engine itself on files in memory.
import { buildSearchIndex, MANIFEST_PATH, openSearchIndex, type SearchDocInput } from '@wharf/schemas/search-index';
import { describe, expect, it } from 'vitest';
import { queryWithTag, TAG_SCAN_DOCS } from '../src/search/filtered-query.js';

const doc = (i: number, extra: Partial<SearchDocInput>): SearchDocInput => ({
  id: `cal-${i}`,
  name: `Calendar ${i}`,
  short: 'A calendar for your notes',
  category: 'utility',
  latest: '1.0.0',
  verified: false,
  featured: false,
  downloads: 1000 - i,
  ...extra,
});

// 500 calendar plugins; the three tagged "lunar" rank last for "calendar" (their text says it once, the others
// say it three times).
const DOCS = Array.from({ length: 500 }, (_, i) =>
  i >= 497
    ? doc(i, { short: 'Moon phases', tags: ['lunar'] })
    : doc(i, { short: 'calendar calendar calendar planner', tags: ['planner'] }),
);

function open() {
  const { files } = buildSearchIndex(DOCS);
  return openSearchIndex(files.get(MANIFEST_PATH) as string, async (p) => files.get(p) as string);
}

describe('queryWithTag', () => {
  it('finds tagged docs below the first pages of the ranking, and only those', async () => {
    const idx = open();
    const plain = await idx.query('calendar', { limit: 200 });
    expect(plain.hits.some((h) => h.tags?.includes('lunar'))).toBe(false); // what the old top-200 filter saw
    const hits = await queryWithTag(idx, 'calendar', 'lunar', {}, 10);
    expect(hits.map((h) => h.id).sort()).toEqual(['cal-497', 'cal-498', 'cal-499']);
    expect(await queryWithTag(idx, '', 'lunar', {}, 2)).toHaveLength(2); // a browse by tag
    expect(await queryWithTag(idx, 'calendar', 'no-such-tag', {}, 10)).toEqual([]);
  });

  it('reads at most TAG_SCAN_DOCS of the ranking (or twice the limit)', async () => {
    const idx = open();
    let read = 0;
    const counting = {
      query: async (q: string, o: Parameters<typeof idx.query>[1]) => {
        const r = await idx.query(q, o);
        read += r.hits.length;
        return r;
      },
    };
    // 497 docs say "planner" and none is tagged "calendar" (a word in every doc, so not indexed): the scan stops
    // at its bound, not at the end of the ranking.
    expect(await queryWithTag(counting, 'planner', 'calendar', {}, 10)).toEqual([]);
    expect(read).toBe(TAG_SCAN_DOCS);
    read = 0;
    // "planner" is in 497 docs' tags; a limit past them reads to the ranking's end (twice the limit allowed).
    expect(await queryWithTag(counting, '', 'planner', {}, 1000)).toHaveLength(497);
    expect(read).toBeLessThanOrEqual(2000);
  });
});
