// Display helpers shared by the pages and the browser scripts (pure, no DOM).

/**
 * `s` shortened to at most `max` characters, cut at the last space so no word is split, with "…". Where the cut
 * falls after a CJK character (or the text has no space) it is cut between characters (code points, never
 * inside a surrogate pair).
 */
export function cutAtWord(s: string, max: number): string {
  const chars = Array.from(s.trim());
  if (chars.length <= max) return chars.join('');
  const head = chars.slice(0, max - 1).join('');
  // Between two CJK characters any place is a word boundary; elsewhere only a space is.
  const cjk = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]$/u;
  const space = head.search(/\s\S*$/);
  const cut = cjk.test(head) || space <= 0 ? head : head.slice(0, space);
  return `${cut.replace(/[\s,.;:，。；：、]+$/u, '')}…`;
}

export interface Span {
  code: boolean;
  text: string;
}

/** Markdown-ish inline code: `like this` becomes a code span; an unpaired backtick stays as text. */
export function codeSpans(s: string): Span[] {
  const out: Span[] = [];
  const re = /`([^`\n]+)`/g;
  let last = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m.index > last) out.push({ code: false, text: s.slice(last, m.index) });
    out.push({ code: true, text: m[1] as string });
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push({ code: false, text: s.slice(last) });
  return out;
}

/**
 * A count with its thousands grouped: en-US and zh-CN both write 12,345. Not toLocaleString: a page's first use
 * of Intl's number data costs 40–65 ms in Chromium, and it fell on the first search answer.
 */
export function groupDigits(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** Which plural form a count takes in a language ("one" or "other" for English; always "other" in Chinese). */
export function pluralForm(lang: string, n: number): 'one' | 'other' {
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  return rules.select(n) === 'one' ? 'one' : 'other';
}
// Constructing Intl.PluralRules costs ~50 µs; a build asks hundreds of thousands of times.
const pluralRules = new Map<string, Intl.PluralRules>();

/** XML text and attribute escaping. Registry text has no control characters (schema rules), so this is all. */
export function xml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}
