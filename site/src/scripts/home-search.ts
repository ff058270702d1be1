// The search box outside /search/ (home, 404): results as you type in a listbox under the box, the ARIA
// combobox pattern (the focus stays in the box; ↓/↑ move the active option, Enter opens it, Esc closes the
// list). Without JavaScript, or on Enter with no option active, the form goes to /search/?q=.
import type { SearchHit } from '../lib/search-engine';
import { cutAtWord } from '../lib/text';
import { searchClient } from './search-client';
import { countLine, pluginHref, shownName, shownText, texts } from './search-render';

const LIMIT = 6;
const TEXT_MAX = 90;

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-search="lead"]')) {
  const input = form.elements.namedItem('q') as HTMLInputElement;
  const panel = form.querySelector<HTMLElement>('.live-panel');
  const listbox = form.querySelector<HTMLElement>('[role="listbox"]');
  const status = form.querySelector<HTMLElement>('.live-status');
  const heading = form.querySelector<HTMLElement>('.live-heading');
  const count = form.querySelector<HTMLElement>('.live-count');
  const more = form.querySelector<HTMLAnchorElement>('.live-more');
  if (!input || !panel || !listbox || !status || !count || !heading || !more) continue;
  const t = texts(form);
  const pluginBase = form.dataset.pluginBase ?? '/plugins/';
  const client = searchClient(form.dataset.searchRoot ?? '/');
  let options: HTMLAnchorElement[] = [];
  let activeIndex = -1;
  let loaded = false;

  const setOpen = (open: boolean) => {
    panel.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
    if (!open) setActive(-1);
  };

  function setActive(i: number) {
    activeIndex = i;
    options.forEach((o, k) => {
      o.setAttribute('aria-selected', String(k === i));
    });
    const o = options[i];
    if (o) {
      input.setAttribute('aria-activedescendant', o.id);
      o.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  function option(h: SearchHit, i: number): HTMLAnchorElement {
    const a = document.createElement('a');
    a.id = `${input.id}-opt-${i}`;
    a.className = 'live-option';
    a.setAttribute('role', 'option');
    a.setAttribute('aria-selected', 'false');
    a.tabIndex = -1;
    a.href = pluginHref(pluginBase, h.id);
    const name = document.createElement('span');
    name.className = 'live-name';
    name.textContent = shownName(t, h);
    const id = document.createElement('span');
    id.className = 'card-id';
    id.textContent = h.id;
    const text = document.createElement('span');
    text.className = 'live-desc';
    text.textContent = cutAtWord(shownText(t, h), TEXT_MAX);
    a.append(name, ' ', id, text);
    return a;
  }

  const render = (total: number, hits: SearchHit[], closest: SearchHit[]) => {
    // No match: the closest names take the options' place, under a heading that says so.
    const rows = total === 0 ? closest : hits;
    options = rows.map(option);
    listbox.replaceChildren(...options);
    heading.textContent = total === 0 && closest.length > 0 ? t.get('search.closest') : '';
    heading.hidden = heading.textContent === '';
    // The count is said once (the status region) and shown once (in the list, hidden from screen readers).
    status.textContent = countLine(t, total, hits.length);
    count.textContent = status.textContent;
    const q = input.value.trim();
    more.hidden = total <= hits.length;
    more.href = `${form.action}?q=${encodeURIComponent(q)}`;
    more.textContent = t.fill('search.seeAll', { n: total });
    setActive(-1);
    setOpen(true);
  };

  const run = async () => {
    if (input.value.trim() === '') {
      client.cancel();
      status.textContent = '';
      options = [];
      listbox.replaceChildren();
      setOpen(false);
      return;
    }
    if (!loaded) status.textContent = t.get('search.loading');
    try {
      const q = input.value;
      const answer = await client.query(q, {}, LIMIT);
      if (!answer) return;
      loaded = true;
      render(answer.total, answer.hits, answer.closest);
      status.dataset.answers = q; // the text these results answer (tests wait on it, not on a count)
    } catch {
      status.textContent = t.get('search.failed');
    }
  };

  input.addEventListener('focus', () => client.warm(), { once: true });
  input.addEventListener('input', run);
  input.addEventListener('keydown', (ev) => {
    const open = !panel.hidden;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      if (options.length === 0) return;
      ev.preventDefault();
      if (!open) setOpen(true);
      const n = options.length;
      setActive(ev.key === 'ArrowDown' ? (activeIndex + 1) % n : activeIndex <= 0 ? n - 1 : activeIndex - 1);
    } else if (ev.key === 'Enter') {
      const o = options[activeIndex];
      if (open && o) {
        ev.preventDefault();
        window.location.assign(o.href);
      }
    } else if (ev.key === 'Escape') {
      if (open) {
        ev.preventDefault(); // keep the text: Esc closes the list first, a second Esc clears the box
        setOpen(false);
      }
    }
  });
  // Leaving the form closes the list; moving to an option (a click) keeps it.
  form.addEventListener('focusout', (ev) => {
    if (!form.contains(ev.relatedTarget as Node | null)) setOpen(false);
  });
  input.addEventListener('click', () => {
    if (options.length > 0 || status.textContent) setOpen(true);
  });
  // A query already in the box (back/forward cache, autofill) gets its results too.
  if (input.value.trim() !== '') run();
}
