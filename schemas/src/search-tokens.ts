// The search tokenizer shared by the site's engine (site/src/lib/search-core.js) and the CLI's search, so a
// query finds the same plugins in both. Dependency-free: the site's browser worker imports it through the
// `@wharf/schemas/search-tokens` subpath, without the validators.

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

/** Words in almost every description: they cost index bytes and query time and rank nothing. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  'a an and are as at be by can for from has in into is it its of on or that the this to with you your'.split(' '),
);

/** Whether a term holds Han, kana or Hangul (such terms get prefix matching even at one character, never fuzzy). */
export function isCjkTerm(term: string): boolean {
  return !ASCII.test(term) && CJK_RUN().test(term);
}

/**
 * Words of Latin/Cyrillic/etc. text, CJK runs as bigrams: "count-vowels" → count, vowels; "企业微信" → 企业, 业微,
 * 微信. NFKC here folds full-width letters for matching only; the text shown keeps its own form.
 */
export function searchTokens(text: string): string[] {
  if (ASCII.test(text)) return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const out: string[] = [];
  for (const word of text
    .normalize('NFKC')
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu) ?? []) {
    for (const run of word.match(SPLIT_RUNS()) ?? []) {
      if (!CJK_RUN().test(run) || run.length === 1) out.push(run);
      else for (let i = 0; i < run.length - 1; i++) out.push(run.slice(i, i + 2));
    }
  }
  return out;
}
