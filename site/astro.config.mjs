// The Wharf catalog. Static output only; the registry path comes from WHARF_REGISTRY (see src/lib/registry-source.ts).
// CSP: the pages carry `script-src 'self'`, so nothing may be inlined — not scripts, not styles.
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';

// Astro's content layer leaves its build-time modules in outDir; they are not part of the site.
export const BUILD_INTERNALS = ['content-modules.mjs', 'content-assets.mjs', 'collections'];

const dropBuildInternals = {
  name: 'wharf-drop-build-internals',
  hooks: {
    'astro:build:done': async ({ dir }) => {
      const root = fileURLToPath(dir);
      await Promise.all(BUILD_INTERNALS.map((f) => rm(`${root}${f}`, { recursive: true, force: true })));
    },
  },
};

const out = process.env.WHARF_SITE_OUT; // tests and benches build into a temp dir

export default defineConfig({
  site: process.env.WHARF_SITE_URL || undefined,
  base: process.env.WHARF_SITE_BASE || '/',
  output: 'static',
  trailingSlash: 'ignore',
  outDir: out || './dist',
  // Separate caches per output dir, so a test build and a bench build can run side by side.
  cacheDir: out ? `${out}-cache` : './node_modules/.astro',
  build: {
    format: 'directory',
    inlineStylesheets: 'never',
    concurrency: Number(process.env.WHARF_SITE_CONCURRENCY ?? 4),
  },
  devToolbar: { enabled: false },
  integrations: [dropBuildInternals],
  // Shiki writes inline style attributes, which the CSP forbids; docs code blocks are plain.
  markdown: { syntaxHighlight: false },
  vite: {
    cacheDir: out ? `${out}-vite` : undefined,
    build: { assetsInlineLimit: 0 },
    worker: { format: 'es' },
  },
});
