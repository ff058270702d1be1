// The tokenizer's ASCII fast path gives the tokens the Unicode path gives (site and CLI must agree).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCjkTerm, searchTokens } from '../src/search-tokens.js';

// The general rule, exactly as searchTokens's Unicode path applies it to any text (the four scripts form one run
// class).
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const RUNS =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
function unicodeRule(text: string): string[] {
  const out: string[] = [];
  for (const word of text
    .normalize('NFKC')
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu) ?? [])
    for (const run of word.match(RUNS) ?? [])
      if (!CJK.test(run) || run.length === 1) out.push(run);
      else for (let i = 0; i < run.length - 1; i++) out.push(run.slice(i, i + 2));
  return out;
}

describe('searchTokens', () => {
  it('ASCII text: the fast path answers as the Unicode rule does', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)) }), (s) => {
        expect(searchTokens(s)).toEqual(unicodeRule(s));
        expect(isCjkTerm(s)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('CJK text of the common blocks: the range path answers as the Unicode rule does', () => {
    // Each range's class, code point by code point, as the Unicode rule sees it.
    const LN = /^[\p{L}\p{N}]$/u;
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => String.fromCodePoint(a + i));
    const words = [
      [0x3041, 0x3096],
      [0x30a1, 0x30fa],
      [0x3400, 0x4dbf],
      [0x4e00, 0x9fff],
      [0xac00, 0xd7a3],
    ].flatMap(([a, b]) => range(a as number, b as number));
    const separators = [
      [0xb7, 0xb7],
      [0x2010, 0x2027],
      [0x3000, 0x3004],
      [0x3008, 0x301f],
    ].flatMap(([a, b]) => range(a as number, b as number));
    expect(words.filter((c) => !LN.test(c) || !CJK.test(c))).toEqual([]);
    expect(separators.filter((c) => LN.test(c))).toEqual([]);
    // And whole texts: ASCII, those ranges, and characters just outside them (which take the Unicode path).
    const near = ['ー', '々', '〇', 'ﾊ', 'ゝ', '゛', 'ㄱ', '①', 'é', '・', '\u{20000}', '＃', '、', '。'];
    const unit = fc.oneof(
      fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)),
      fc.constantFrom(...words.filter((_, i) => i % 97 === 0), ...separators),
      fc.constantFrom(...near),
    );
    fc.assert(
      fc.property(fc.string({ unit }), (s) => {
        expect(searchTokens(s)).toEqual(unicodeRule(s));
      }),
      { numRuns: 3000 },
    );
    expect(searchTokens('企业微信：“自动回复”——消息・Ｂot 한국어 カタカナ')).toEqual(
      unicodeRule('企业微信：“自动回复”——消息・Ｂot 한국어 カタカナ'),
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
