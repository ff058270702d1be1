// Behaviour every page shares: the theme toggle, the language switch keeping the search state, copy buttons.
const root = document.documentElement;
const dark = window.matchMedia('(prefers-color-scheme: dark)');

function isDark(): boolean {
  const t = root.dataset.theme;
  return t === 'dark' || (t !== 'light' && dark.matches);
}

const toggle = document.getElementById('theme-toggle');
if (toggle) {
  // The label names what a click does ("Switch to light theme" while dark); a changing label and aria-pressed together
  // would contradict each other, so the button carries no pressed state.
  const sync = () => {
    toggle.textContent = (isDark() ? toggle.dataset.toLight : toggle.dataset.toDark) ?? '';
  };
  toggle.hidden = false; // useless without JS, so it ships hidden
  sync();
  dark.addEventListener('change', sync);
  toggle.addEventListener('click', () => {
    const next = isDark() ? 'light' : 'dark';
    root.dataset.theme = next;
    try {
      localStorage.setItem('wharf-theme', next);
    } catch {
      // Storage blocked: the choice lasts for this page only.
    }
    sync();
  });
}

// The other-language link carries the current query string (search text and filters).
const langLink = document.getElementById('lang-switch') as HTMLAnchorElement | null;
if (langLink) {
  const carry = () => {
    const u = new URL(langLink.href);
    u.search = window.location.search;
    langLink.href = u.toString();
  };
  carry();
  window.addEventListener('wharf:urlchange', carry);
}

for (const btn of document.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
  btn.hidden = false;
  btn.addEventListener('click', async () => {
    const target = document.getElementById(btn.dataset.copy ?? '');
    if (!target) return;
    try {
      await navigator.clipboard.writeText(target.textContent ?? '');
      const label = btn.textContent;
      btn.textContent = btn.dataset.copied ?? label;
      setTimeout(() => {
        btn.textContent = label;
      }, 1500);
    } catch {
      // Clipboard denied: the command is still selectable text.
    }
  });
}
