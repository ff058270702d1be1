// The Wharf catalog. Static output only; the registry path comes from WHARF_REGISTRY (see src/lib/registry-source.ts).
// CSP: the pages carry `script-src 'self'`, so nothing may be inlined — not scripts, not styles.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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

// Each plugin's feed and API entry, a card per category and the sitemap's parts: plain file writes after the pages
// instead of two more Astro routes per plugin. The pages hand them over in this process (src/lib/build-files.ts).
const BUILD_FILES = Symbol.for('wharf-site.build-files');
const SITEMAP_PARTS = Symbol.for('wharf-site.sitemap-parts');
const SAFE_PATH =
  /^(?:plugins\/[a-z0-9-]+\/feed\.xml|api\/plugins\/[a-z0-9-]+\.json|og\/[a-z][a-z0-9_-]*\.png|sitemap-\d+\.xml)$/;
const safeJoin = (root, path) => {
  if (!SAFE_PATH.test(path)) throw new Error(`[wharf-site] refusing to write ${JSON.stringify(path)}`);
  return join(root, path);
};

/** The category cards as PNG; without sharp (an optional native module) each is a copy of the site card. */
async function writeCards(root, cards, logger) {
  if (cards.length === 0) return;
  mkdirSync(join(root, 'og'), { recursive: true });
  let sharp;
  try {
    sharp = (await import('sharp')).default;
  } catch (e) {
    logger.warn(`sharp is not available (${e.message}); the category cards are the site card`);
  }
  for (const { path, body } of cards) {
    const file = safeJoin(root, path);
    if (sharp) await sharp(Buffer.from(body)).png({ compressionLevel: 9 }).toFile(file);
    else copyFileSync(join(root, 'og-card.png'), file);
  }
}

let siteUrl;
const buildFiles = {
  name: 'wharf-build-files',
  hooks: {
    'astro:config:setup': ({ command, injectRoute }) => {
      if (command !== 'dev') return;
      injectRoute({ pattern: '/plugins/[id]/feed.xml', entrypoint: './src/dev-routes/plugin-feed.xml.ts' });
      injectRoute({ pattern: '/api/plugins/[id].json', entrypoint: './src/dev-routes/plugin-api.json.ts' });
    },
    'astro:config:done': ({ config }) => {
      siteUrl = config.site ? new URL(config.site) : undefined;
    },
    'astro:build:done': async ({ dir, logger }) => {
      const handOver = globalThis[BUILD_FILES];
      if (!handOver) throw new Error('[wharf-site] the plugin pages handed over no feed, API or card files');
      delete globalThis[BUILD_FILES];
      const root = fileURLToPath(dir);
      const made = new Set();
      // Synchronous writes: nothing else runs in the hook for them to overlap with.
      for (const { path, body } of handOver.files(siteUrl)) {
        const file = safeJoin(root, path);
        const parent = dirname(file);
        if (!made.has(parent)) {
          mkdirSync(parent, { recursive: true });
          made.add(parent);
        }
        writeFileSync(file, body);
      }
      const sitemapParts = globalThis[SITEMAP_PARTS] ?? [];
      delete globalThis[SITEMAP_PARTS];
      for (const { path, body } of sitemapParts) writeFileSync(safeJoin(root, path), body);
      await writeCards(root, handOver.cards(), logger);
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
  integrations: [dropBuildInternals, buildFiles],
  // Shiki writes inline style attributes, which the CSP forbids; docs code blocks are plain.
  markdown: { syntaxHighlight: false },
  vite: {
    cacheDir: out ? `${out}-vite` : undefined,
    build: { assetsInlineLimit: 0 },
    worker: { format: 'es' },
  },
});
