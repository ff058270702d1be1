// The category OpenGraph cards (site/src/lib/og-cards.ts): registry text in them is escaped, and sharp — which
// rasterizes them in the site's build-done hook and refuses malformed SVG — renders each to a 1200×630 PNG.
import { DEFAULT_CATEGORIES } from '@wharf/schemas';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CARD_HEIGHT, CARD_WIDTH, categoryCardPath, categoryCardSvg } from '../../site/src/lib/og-cards.js';

const SITE = { title: 'Wharf plugins', tagline: 'Signed Extism WebAssembly plugins, installed by hash.' };

async function pngSize(svg: string): Promise<[number | undefined, number | undefined]> {
  const meta = await sharp(await sharp(Buffer.from(svg)).png().toBuffer()).metadata();
  expect(meta.format).toBe('png');
  return [meta.width, meta.height];
}

describe('category OpenGraph cards', () => {
  it('every built-in category renders to a 1200×630 PNG at og/<id>.png', async () => {
    for (const c of DEFAULT_CATEGORIES) {
      expect(categoryCardPath(c.id)).toMatch(/^og\/[a-z][a-z0-9_-]*\.png$/);
      expect(await pngSize(categoryCardSvg(c, SITE)), c.id).toEqual([CARD_WIDTH, CARD_HEIGHT]);
    }
  });

  it('markup in a registry category is text: escaped, still a well-formed SVG, and cut to fit', async () => {
    const hostile = {
      id: 'x-custom',
      name: '<script>alert(1)</script> & "Tools"',
      name_zh: '工具',
      description: `]]><foreignObject><iframe src="javascript:alert(1)"/></foreignObject> ${'very long words '.repeat(30)}`,
      icon: '<b>&</b>',
    };
    const svg = categoryCardSvg(hostile, SITE);
    expect(svg).not.toMatch(/<script|<foreignObject|<iframe|<b>/);
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('&amp;');
    // At most three description lines, the last ending in an ellipsis.
    const lines = [...svg.matchAll(/<text x="80" y="(?:390|438|486|534)"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(lines.length).toBe(3);
    expect(lines.at(-1)).toMatch(/…$/);
    expect(await pngSize(svg)).toEqual([CARD_WIDTH, CARD_HEIGHT]);
  });
});
