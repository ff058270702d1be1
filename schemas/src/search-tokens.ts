// The search tokenizer of the search index (./search-index: the site's, the publisher's signed one and the one the
// CLI builds for a monolithic source), so a query finds the same plugins everywhere. Dependency-free: the site's
// browser code imports it through the `@wharf/schemas/search-tokens` subpath, without the validators.

// Han, kana and Hangul are written without spaces: index them as overlapping character pairs (bigrams) so a
// Chinese query matches inside a Chinese sentence. A one-character query still finds them by prefix.
// Made on first use: evaluating these literals (their Unicode property classes) cost every command that loads
// this module ~0.6 ms, `wharf refresh` and an ASCII `wharf search` included, which never run them.
let cjkRun: RegExp | undefined;
let splitRuns: RegExp | undefined;
function CJK_RUN(): RegExp {
  cjkRun ??= /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/u;
  return cjkRun;
}
function SPLIT_RUNS(): RegExp {
  splitRuns ??=
    /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
  return splitRuns;
}

// ASCII text has no CJK and NFKC leaves it as it is, so its words are the runs of [a-z0-9] after lower-casing:
// the same tokens without compiling the Unicode property classes above, which costs a short-lived CLI ~1 ms.
// biome-ignore lint/suspicious/noControlCharactersInRegex: every ASCII character, controls included
const ASCII = /^[\x00-\x7f]*$/;

// Text of ASCII, the common Han, kana and Hangul blocks and the punctuation between them (what Chinese, Japanese
// and Korean descriptions are made of) is split with plain BMP ranges instead: every character of a range here has
// the one class the Unicode rule gives it (schemas/test/search-tokens.test.ts checks each code point), so the tokens
// are the same, without compiling \p{L}, \p{N} and the Script classes (~2 ms of a `wharf search`).
const CJK_BMP = '\u3041-\u3096\u30a1-\u30fa\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3';
const CJK_SEPARATORS = '\u00b7\u2010-\u2027\u3000-\u3004\u3008-\u301f';
const COMMON_CJK = new RegExp(`^[\\x00-\\x7f${CJK_BMP}${CJK_SEPARATORS}]*$`);
const COMMON_RUNS = new RegExp(`[${CJK_BMP}]+|[a-z0-9]+`, 'g');
const COMMON_CJK_RUN = new RegExp(`[${CJK_BMP}]`);

/** Words in almost every description: they cost index bytes and query time and rank nothing. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  'a an and are as at be by can for from has in into is it its of on or that the this to with you your'.split(' '),
);

/** Whether a term holds Han, kana or Hangul (such terms get prefix matching even at one character, never fuzzy). */
export function isCjkTerm(term: string): boolean {
  if (ASCII.test(term)) return false;
  return COMMON_CJK.test(term) ? COMMON_CJK_RUN.test(term) : CJK_RUN().test(term);
}

/**
 * Words of Latin/Cyrillic/etc. text, CJK runs as bigrams: "count-vowels" → count, vowels; "企业微信" → 企业, 业微,
 * 微信. NFKC here folds full-width letters for matching only; the text shown keeps its own form.
 */
export function searchTokens(text: string): string[] {
  if (ASCII.test(text)) return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const folded = text.normalize('NFKC').toLowerCase();
  const out: string[] = [];
  const push = (run: string, cjk: boolean) => {
    if (!cjk || run.length === 1) out.push(run);
    else for (let i = 0; i < run.length - 1; i++) out.push(run.slice(i, i + 2));
  };
  if (COMMON_CJK.test(folded)) {
    // Words are the runs of [a-z0-9] and of the CJK ranges, already split where the script changes.
    for (const run of folded.match(COMMON_RUNS) ?? []) push(run, run.charCodeAt(0) > 0x7f);
    return out;
  }
  for (const word of folded.match(/[\p{L}\p{N}]+/gu) ?? [])
    for (const run of word.match(SPLIT_RUNS()) ?? []) push(run, CJK_RUN().test(run));
  return out;
}
