// Files the build writes after the pages, in the build-done hook (astro.config.mjs), with plain fs writes: two
// per plugin (its Atom feed and its static API entry), one OpenGraph card per category, and the sitemap's parts
// past 50,000 URLs. As Astro routes the per-plugin files doubled the pages Astro renders, one Request, render
// context and Response each (issue 13: a 10k build went from 23 s to 70 s). Astro prerenders in the same Node
// process that runs the integration hooks, so the plugin page's getStaticPaths hands the hook the plugins and
// categories it already read and validated, with the functions that render their files: the registry is parsed
// once. `astro dev` has no build-done hook and serves the per-plugin files from src/dev-routes/ (no cards there).
import type { Category, RegistryPlugin } from '@wharf/schemas';
import { pluginApiEntry, pluginFeed } from './feeds';
import { translator } from './i18n';
import { categoryCardPath, categoryCardSvg } from './og-cards';

/** The globalThis slot of the hand-over; astro.config.mjs reads the same Symbol.for key. */
export const BUILD_FILES = Symbol.for('wharf-site.build-files');

export interface BuildFile {
  /** Relative to the output directory, '/'-separated (the URL path without the base). */
  path: string;
  body: string;
}

export interface BuildFiles {
  /** Each plugin's feed and API entry; `site` is Astro's `site` (absolute feed links when set). */
  files(site: URL | undefined): Iterable<BuildFile>;
  /** One SVG card per category, for the hook to rasterize to `path`. */
  cards(): BuildFile[];
}

export function* pluginFiles(plugins: readonly RegistryPlugin[], site: URL | undefined): Generator<BuildFile> {
  for (const p of plugins) {
    yield { path: `plugins/${p.plugin_id}/feed.xml`, body: pluginFeed(site, p) };
    yield { path: `api/plugins/${p.plugin_id}.json`, body: pluginApiEntry(p) };
  }
}

export function handOverBuildFiles(plugins: readonly RegistryPlugin[], categories: readonly Category[]): void {
  const t = translator('en');
  const site = { title: t('site.title'), tagline: t('site.tagline') };
  const handOver: BuildFiles = {
    files: (site) => pluginFiles(plugins, site),
    cards: () => categories.map((c) => ({ path: categoryCardPath(c.id), body: categoryCardSvg(c, site) })),
  };
  (globalThis as Record<symbol, unknown>)[BUILD_FILES] = handOver;
}

/** The globalThis slot of sitemap-<n>.xml parts (lib/sitemap.ts), handed over by /sitemap.xml. */
export const SITEMAP_PARTS = Symbol.for('wharf-site.sitemap-parts');

export function handOverSitemapParts(parts: BuildFile[]): void {
  (globalThis as Record<symbol, unknown>)[SITEMAP_PARTS] = parts;
}
