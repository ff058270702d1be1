// sitemap.xml. The protocol allows 50,000 URLs per file (sitemaps.org), and a catalog of 100k plugins has over
// 200,000 pages in two languages, so past the limit sitemap.xml becomes a sitemap index of sitemap-<n>.xml parts,
// which the build-done hook writes (build-files.ts). Robots.txt and crawlers keep using /sitemap.xml either way.
import { xml } from './text.js';

export const SITEMAP_LIMIT = 50_000;
const NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';

export function urlset(locs: readonly string[]): string {
  const urls = locs.map((l) => `  <url><loc>${xml(l)}</loc></url>`);
  return ['<?xml version="1.0" encoding="utf-8"?>', `<urlset xmlns="${NS}">`, ...urls, '</urlset>', ''].join('\n');
}

export function sitemapIndex(locs: readonly string[]): string {
  const maps = locs.map((l) => `  <sitemap><loc>${xml(l)}</loc></sitemap>`);
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<sitemapindex xmlns="${NS}">`,
    ...maps,
    '</sitemapindex>',
    '',
  ].join('\n');
}

export interface Sitemaps {
  /** The body of /sitemap.xml: the urlset, or the index of the parts. */
  main: string;
  /** sitemap-<n>.xml (paths relative to the output directory), empty when one urlset holds every URL. */
  parts: Array<{ path: string; body: string }>;
}

/** `locs` (absolute URLs) as sitemap.xml and its parts; `partUrl(n)` is the absolute URL of sitemap-<n>.xml. */
export function sitemaps(locs: readonly string[], partUrl: (n: number) => string, limit = SITEMAP_LIMIT): Sitemaps {
  if (locs.length <= limit) return { main: urlset(locs), parts: [] };
  const parts: Sitemaps['parts'] = [];
  for (let i = 0; i < locs.length; i += limit)
    parts.push({ path: `sitemap-${parts.length + 1}.xml`, body: urlset(locs.slice(i, i + limit)) });
  return { main: sitemapIndex(parts.map((_, i) => partUrl(i + 1))), parts };
}
