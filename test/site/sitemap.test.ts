// sitemap.xml past the protocol's 50,000 URLs per file (site/src/lib/sitemap.ts): an index of parts that together
// list every URL once; below the limit, one urlset as before.
import { describe, expect, it } from 'vitest';
import { SITEMAP_LIMIT, sitemaps } from '../../site/src/lib/sitemap.js';

const locsOf = (xmlText: string) => [...xmlText.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1]);
const partUrl = (n: number) => `https://p.example.test/sitemap-${n}.xml`;

describe('sitemaps', () => {
  it('up to the limit: one urlset and no parts', () => {
    const locs = ['https://p.example.test/', 'https://p.example.test/zh/?a=1&b=2'];
    const { main, parts } = sitemaps(locs, partUrl);
    expect(parts).toEqual([]);
    expect(main).toContain('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">');
    expect(locsOf(main)).toEqual(['https://p.example.test/', 'https://p.example.test/zh/?a=1&amp;b=2']);
    expect(SITEMAP_LIMIT).toBe(50_000);
  });

  it('past the limit: an index of sitemap-<n>.xml parts, each within the limit, listing every URL once', () => {
    const locs = Array.from({ length: 7 }, (_, i) => `https://p.example.test/plugins/p${i}/`);
    const { main, parts } = sitemaps(locs, partUrl, 3);
    expect(main).toContain('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">');
    expect(locsOf(main)).toEqual([partUrl(1), partUrl(2), partUrl(3)]);
    expect(parts.map((p) => p.path)).toEqual(['sitemap-1.xml', 'sitemap-2.xml', 'sitemap-3.xml']);
    for (const p of parts) {
      expect(p.body).toContain('<urlset');
      expect(locsOf(p.body).length).toBeLessThanOrEqual(3);
    }
    expect(parts.flatMap((p) => locsOf(p.body))).toEqual(locs);
  });
});
