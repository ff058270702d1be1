// DOM for search answers, shared by /search/ and the live box: strings with plural forms, result cards and
// the closest-name links. textContent only: registry text never becomes markup.
import type { SearchHit } from '../lib/search-engine';
import { codeSpans, cutAtWord, groupDigits, pluralForm } from '../lib/text';

export interface Texts {
  lang: string;
  /** "{n} results" with its ".one" form picked by the count, numbers grouped as both locales write them. */
  fill(key: string, vars?: Record<string, number>): string;
  get(key: string): string;
}

export function texts(el: HTMLElement): Texts {
  const strings = JSON.parse(el.dataset.strings ?? '{}') as Record<string, string>;
  const lang = el.dataset.lang ?? 'en';
  return {
    lang,
    get: (key) => strings[key] ?? '',
    fill(key, vars = {}) {
      const one = vars.n !== undefined && pluralForm(lang, vars.n) === 'one' && strings[`${key}.one`];
      return (one || strings[key] || key).replace(/\{(\w+)\}/g, (_, k: string) =>
        vars[k] === undefined ? '' : groupDigits(vars[k] as number),
      );
    },
  };
}

/** The count line for an answer: "1 result", "12 个结果", "No plugins match." */
export function countLine(t: Texts, total: number, shown: number): string {
  if (total === 0) return t.get('search.none');
  return total > shown ? t.fill('search.resultsMore', { n: total, shown }) : t.fill('search.results', { n: total });
}

export const shownName = (t: Texts, h: SearchHit) => (t.lang === 'zh' && h.name_zh ? h.name_zh : h.name);
export const shownText = (t: Texts, h: SearchHit) => (t.lang === 'zh' && h.short_zh ? h.short_zh : h.short);
export const pluginHref = (base: string, id: string) => `${base}${encodeURIComponent(id)}/`;

/** Backtick spans become <code> elements, still through textContent. */
export function appendDescription(el: HTMLElement, text: string, max: number): void {
  for (const span of codeSpans(cutAtWord(text, max))) {
    if (!span.code) el.append(span.text);
    else {
      const code = document.createElement('code');
      code.textContent = span.text;
      el.append(code);
    }
  }
}

/** "Closest names: A, B, C" as links, for a query that matched nothing. */
export function closestLine(t: Texts, base: string, hits: SearchHit[]): HTMLElement[] {
  if (hits.length === 0) return [];
  const out: HTMLElement[] = [];
  const label = document.createElement('span');
  label.textContent = t.lang === 'zh' ? t.get('search.closest') : `${t.get('search.closest')} `;
  out.push(label);
  hits.forEach((h, i) => {
    const a = document.createElement('a');
    a.href = pluginHref(base, h.id);
    a.textContent = shownName(t, h);
    if (i > 0) {
      const sep = document.createElement('span');
      sep.textContent = t.get('search.listSep');
      out.push(sep);
    }
    out.push(a);
  });
  return out;
}
