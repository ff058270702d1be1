// Runs before first paint (a classic, render-blocking external script: the CSP allows no inline script).
// An explicit choice from the toggle wins; otherwise CSS follows prefers-color-scheme.
try {
  const t = localStorage.getItem('wharf-theme');
  if (t === 'dark' || t === 'light') document.documentElement.dataset.theme = t;
} catch {
  // Storage blocked: follow the system.
}
