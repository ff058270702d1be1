// The live search on /search/: URL query ⇄ form state, results as you type, keyboard navigation.
// It talks to the engine only through postMessage, so the engine (or a sharded index) can change behind it.
import type { DocRow, Filters } from '../lib/search-core.js';
import { codeSpans, cutAtWord, pluralForm } from '../lib/text';

type Reply = { seq: number; total: number; rows: DocRow[]; ms: number } | { seq: number; error: string };

const form = document.querySelector<HTMLFormElement>('form[data-search="live"]');
const list = document.getElementById('results') as HTMLUListElement | null;
const status = document.getElementById('search-status');

const CARD_TEXT_MAX = 120; // as PluginCard.astro

if (form && list && status) {
  const input = form.elements.namedItem('q') as HTMLInputElement;
  const category = form.elements.namedItem('category') as HTMLSelectElement | null;
  const tag = form.elements.namedItem('tag') as HTMLInputElement | null;
  const verified = form.elements.namedItem('verified') as HTMLInputElement | null;
  const strings = JSON.parse(form.dataset.strings ?? '{}') as Record<string, string>;
  const lang = form.dataset.lang ?? 'en';
  const pluginBase = form.dataset.pluginBase ?? '/plugins/';
  const fill = (key: string, vars: Record<string, number>) => {
    const one = vars.n !== undefined && pluralForm(lang, vars.n) === 'one' && strings[`${key}.one`];
    return (one || strings[key] || key).replace(/\{(\w+)\}/g, (_, k: string) =>
      vars[k] === undefined ? '' : (vars[k] as number).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US'),
    );
  };

  // Form state from the URL, so a shared or reloaded link shows the same results.
  const params = new URLSearchParams(window.location.search);
  input.value = params.get('q') ?? '';
  if (category) category.value = params.get('category') ?? '';
  if (tag) tag.value = params.get('tag') ?? '';
  if (verified) verified.checked = params.get('verified') === '1';

  let worker: Worker | undefined;
  let seq = 0;
  let shown = 0;

  const engine = (): Worker => {
    if (worker) return worker;
    status.textContent = strings['search.loading'] ?? '';
    worker = new Worker(new URL('./search-worker.ts', import.meta.url), { type: 'module' });
    worker.postMessage({ type: 'init', url: form.dataset.index });
    worker.onmessage = (ev: MessageEvent<Reply>) => {
      if (ev.data.seq !== seq) return; // a newer query is on its way
      if ('error' in ev.data) {
        status.textContent = strings['search.failed'] ?? '';
        return;
      }
      list.dataset.queryMs = ev.data.ms.toFixed(2); // engine time alone, read by bench/site
      render(ev.data.total, ev.data.rows);
    };
    return worker;
  };

  const filters = (): Filters => ({
    ...(category?.value ? { category: category.value } : {}),
    ...(tag?.value.trim() ? { tag: tag.value.trim() } : {}),
    ...(verified?.checked ? { verified: true } : {}),
  });

  const syncUrl = () => {
    const p = new URLSearchParams();
    if (input.value) p.set('q', input.value);
    const f = filters();
    if (f.category) p.set('category', f.category);
    if (f.tag) p.set('tag', f.tag);
    if (f.verified) p.set('verified', '1');
    const qs = p.toString();
    history.replaceState(null, '', `${window.location.pathname}${qs ? `?${qs}` : ''}`);
    window.dispatchEvent(new Event('wharf:urlchange'));
  };

  const active = () => input.value.trim() !== '' || Object.keys(filters()).length > 0;

  const run = () => {
    syncUrl();
    seq += 1;
    if (!active()) {
      render(0, [], true);
      return;
    }
    engine().postMessage({ type: 'query', seq, q: input.value, filters: filters() });
  };

  function render(total: number, rows: DocRow[], empty = false) {
    // textContent only: registry text never becomes markup.
    const items = rows.map(([id, name, nameZh, text, textZh, , , isVerified]) => {
      const li = document.createElement('li');
      li.className = 'card';
      const a = document.createElement('a');
      a.className = 'card-title';
      a.href = `${pluginBase}${encodeURIComponent(id)}/`;
      a.textContent = lang === 'zh' && nameZh ? nameZh : name;
      const idSpan = document.createElement('span');
      idSpan.className = 'card-id';
      idSpan.textContent = id;
      li.append(a, idSpan);
      if (isVerified) {
        const b = document.createElement('span');
        b.className = 'badge badge-verified';
        b.textContent = strings['plugin.verified'] ?? '';
        li.append(b);
      }
      const p = document.createElement('p');
      p.className = 'card-desc';
      // Backtick spans become <code> elements, still through textContent.
      for (const span of codeSpans(cutAtWord(lang === 'zh' && textZh ? textZh : text, CARD_TEXT_MAX))) {
        if (!span.code) p.append(span.text);
        else {
          const code = document.createElement('code');
          code.textContent = span.text;
          p.append(code);
        }
      }
      li.append(p);
      return li;
    });
    list?.replaceChildren(...items);
    shown = rows.length;
    if (status)
      status.textContent = empty
        ? ''
        : total === 0
          ? (strings['search.none'] ?? '')
          : total > rows.length
            ? fill('search.resultsMore', { n: total, shown: rows.length })
            : fill('search.results', { n: total });
  }

  const links = () => [...(list?.querySelectorAll<HTMLAnchorElement>('a.card-title') ?? [])];

  input.addEventListener('input', run);
  for (const el of [category, tag, verified]) el?.addEventListener('change', run);
  tag?.addEventListener('input', run);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run();
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' && shown > 0) {
      ev.preventDefault();
      links()[0]?.focus();
    }
  });
  list?.addEventListener('keydown', (ev) => {
    const all = links();
    const i = all.indexOf(document.activeElement as HTMLAnchorElement);
    if (i < 0) return;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      const next = ev.key === 'ArrowDown' ? Math.min(i + 1, all.length - 1) : i - 1;
      if (next < 0) input.focus();
      else all[next]?.focus();
    } else if (ev.key === 'Escape') {
      input.focus();
    }
  });

  if (active()) run();
}
