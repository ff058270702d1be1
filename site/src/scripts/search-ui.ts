// The live search on /search/: URL query ⇄ form state, results as you type, keyboard navigation, and the
// closest names when nothing matches. It reaches the engine only through search-client.ts.
import type { SearchFilters, SearchHit } from '../lib/search-engine';
import { searchClient } from './search-client';
import { appendDescription, closestLine, countLine, pluginHref, shownName, shownText, texts } from './search-render';

const form = document.querySelector<HTMLFormElement>('form[data-search="live"]');
const list = document.getElementById('results') as HTMLUListElement | null;
const status = document.getElementById('search-status');
const closest = document.getElementById('search-closest');

const CARD_TEXT_MAX = 120; // as PluginCard.astro
const LIMIT = 24; // a short list keeps each keystroke's render cheap

if (form && list && status && closest) {
  const input = form.elements.namedItem('q') as HTMLInputElement;
  const category = form.elements.namedItem('category') as HTMLSelectElement | null;
  const tag = form.elements.namedItem('tag') as HTMLInputElement | null;
  const verified = form.elements.namedItem('verified') as HTMLInputElement | null;
  const t = texts(form);
  const pluginBase = form.dataset.pluginBase ?? '/plugins/';
  const client = searchClient(form.dataset.searchRoot ?? '/');

  // Form state from the URL, so a shared or reloaded link shows the same results.
  const params = new URLSearchParams(window.location.search);
  input.value = params.get('q') ?? '';
  if (category) category.value = params.get('category') ?? '';
  if (tag) tag.value = params.get('tag') ?? '';
  if (verified) verified.checked = params.get('verified') === '1';

  let shown = 0;
  let loaded = false;

  const filters = (): SearchFilters => ({
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

  const run = async () => {
    if (!active()) {
      syncUrl();
      client.cancel();
      render(0, [], [], true);
      return;
    }
    if (!loaded) status.textContent = t.get('search.loading');
    const q = input.value;
    // The top rows show as soon as their docs are in; the count line waits for the whole answer.
    const answering = client.query(q, filters(), LIMIT, (partial) => drawRows(partial.hits, []));
    syncUrl(); // once the query's fetches are on their way
    try {
      const answer = await answering;
      if (!answer) return; // a newer keystroke is on its way
      loaded = true;
      list.dataset.queryMs = answer.ms.toFixed(2); // engine time alone, read by bench/site
      render(answer.total, answer.hits, answer.closest);
      if (status) status.dataset.answers = q; // the text these results answer (tests wait on it, not on a count)
    } catch {
      status.textContent = t.get('search.failed');
    }
  };

  let drawn = ''; // the rows on screen, so a keystroke that changes nothing leaves the list's DOM alone

  function render(total: number, hits: SearchHit[], near: SearchHit[], empty = false) {
    if (status) status.textContent = empty ? '' : countLine(t, total, hits.length);
    drawRows(hits, near, empty);
  }

  function drawRows(hits: SearchHit[], near: SearchHit[], empty = false) {
    const key = `${empty}|${hits.map((h) => h.id).join(' ')}|${near.map((h) => h.id).join(' ')}`;
    if (key === drawn) return;
    drawn = key;
    const items = hits.map((h) => {
      const li = document.createElement('li');
      li.className = 'card';
      const a = document.createElement('a');
      a.className = 'card-title';
      a.href = pluginHref(pluginBase, h.id);
      a.textContent = shownName(t, h);
      const idSpan = document.createElement('span');
      idSpan.className = 'card-id';
      idSpan.textContent = h.id;
      li.append(a, idSpan);
      if (h.verified) {
        const b = document.createElement('span');
        b.className = 'badge badge-verified';
        b.textContent = t.get('plugin.verified');
        li.append(b);
      }
      const p = document.createElement('p');
      p.className = 'card-desc';
      appendDescription(p, shownText(t, h), CARD_TEXT_MAX);
      li.append(p);
      return li;
    });
    list?.replaceChildren(...items);
    shown = hits.length;
    closest?.replaceChildren(...(empty ? [] : closestLine(t, pluginBase, near)));
  }

  const links = () => [
    ...(list?.querySelectorAll<HTMLAnchorElement>('a.card-title') ?? []),
    ...(shown === 0 ? (closest?.querySelectorAll<HTMLAnchorElement>('a') ?? []) : []),
  ];

  input.addEventListener('focus', () => client.warm(), { once: true });
  input.addEventListener('input', run);
  for (const el of [category, tag, verified]) el?.addEventListener('change', run);
  tag?.addEventListener('input', run);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run();
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown') {
      const first = links()[0];
      if (!first) return;
      ev.preventDefault();
      first.focus();
    }
  });
  const move = (ev: KeyboardEvent) => {
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
  };
  list.addEventListener('keydown', move);
  closest.addEventListener('keydown', move);

  if (active()) run();
}
