// /sitemap.xml: every page in both languages. Sitemaps need absolute URLs, so it lists the site's address
// (WHARF_SITE_URL); without one it is an empty, valid urlset. Past 50,000 URLs it is an index (lib/sitemap.ts).
import { getCollection } from 'astro:content';
import type { APIContext } from 'astro';
import { handOverSitemapParts } from '../lib/build-files';
import { CATEGORY_PAGE_SIZE, catalog } from '../lib/catalog';
import { docSlug } from '../lib/docs';
import { LANGS, localePath } from '../lib/i18n';
import { loadRegistry } from '../lib/registry-source';
import { sitemaps } from '../lib/sitemap';

export async function GET({ site }: APIContext): Promise<Response> {
  const { plugins, byCategory } = catalog();
  // Sorted: the content layer returns entries in no fixed order, and the sitemap should not churn between builds.
  const docs = (await getCollection('docs')).sort((a, b) => a.id.localeCompare(b.id));
  const paths = LANGS.flatMap((lang) => [
    localePath(lang),
    localePath(lang, 'search/'),
    localePath(lang, 'docs/'),
    ...docs.filter((d) => d.id.startsWith(`${lang}/`)).map((d) => localePath(lang, `docs/${docSlug(d.id)}/`)),
    ...loadRegistry().registry.categories.flatMap((c) => {
      const pages = Math.max(1, Math.ceil((byCategory.get(c.id)?.length ?? 0) / CATEGORY_PAGE_SIZE));
      return Array.from({ length: pages }, (_, i) =>
        localePath(lang, `categories/${c.id}/${i === 0 ? '' : `${i + 1}/`}`),
      );
    }),
    ...plugins.map((p) => localePath(lang, `plugins/${p.plugin_id}/`)),
  ]);
  const locs = site ? paths.map((p) => new URL(p, site).toString()) : [];
  const { main, parts } = sitemaps(locs, (n) => new URL(localePath('en', `sitemap-${n}.xml`), site).toString());
  handOverSitemapParts(parts);
  return new Response(main, { headers: { 'Content-Type': 'application/xml' } });
}
