// The tokenizer's ASCII fast path gives the tokens the Unicode path gives (site and CLI must agree).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCjkTerm, searchTokens } from '../src/search-tokens.js';

// The general rule, as searchTokens applies it to any text.
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
function reference(text: string): string[] {
  const out: string[] = [];
  for (const word of text
    .normalize('NFKC')
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu) ?? [])
    for (const run of word.match(/\p{Script=Han}+|\p{Script=Hiragana}+|[^\p{Script=Han}\p{Script=Hiragana}]+/gu) ?? [])
      if (!CJK.test(run) || run.length === 1) out.push(run);
      else for (let i = 0; i < run.length - 1; i++) out.push(run.slice(i, i + 2));
  return out;
}

describe('searchTokens', () => {
  it('ASCII text: the fast path answers as the Unicode rule does', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)) }), (s) => {
        expect(searchTokens(s)).toEqual(reference(s));
        expect(isCjkTerm(s)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('non-ASCII text still goes through the Unicode rule', () => {
    expect(searchTokens('Count-Vowels ＡＢＣ 企业微信 Ünïcode')).toEqual([
      'count',
      'vowels',
      'abc',
      '企业',
      '业微',
      '微信',
      'ünïcode',
    ]);
    expect(isCjkTerm('微信')).toBe(true);
  });
});
