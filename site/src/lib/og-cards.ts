// OpenGraph cards: one 1200×630 image per category, which every plugin page in it names as og:image, beside its
// own og:title, og:description and og:url. A raster card per plugin was measured here with sharp at 13–22 ms
// each (about 36 KiB): 100k plugins would add 20–35 minutes of CPU and 3.6 GB to a build whose budget is five
// minutes, so the per-plugin part of the card is its text, and the image says which kind of plugin it is.
// The SVG is rasterized by the build-done hook (astro.config.mjs); registry text in it is XML-escaped.
import type { Category } from '@wharf/schemas';
import { CATEGORY_ICON_PATHS } from './category-icons.js';
import { cutAtWord, xml } from './text.js';

export const CARD_WIDTH = 1200;
export const CARD_HEIGHT = 630;

/** The card's path under the site's base: og/<category id>.png (ids are [a-z][a-z0-9_-]*, schema rule). */
export function categoryCardPath(categoryId: string): string {
  return `og/${categoryId}.png`;
}

/** Greedy word wrap to at most `lines` lines of about `width` characters; the last line ends in "…" if cut. */
function wrap(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let rest = text.trim().replace(/\s+/g, ' ');
  while (rest && out.length < lines) {
    if (out.length === lines - 1 || rest.length <= width) {
      out.push(cutAtWord(rest, width));
      break;
    }
    const cut = rest.lastIndexOf(' ', width);
    const at = cut > 0 ? cut : width;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).trim();
  }
  return out;
}

/** The card's SVG; `site` is the site's name and tagline (English: the card serves both languages' pages). */
export function categoryCardSvg(category: Category, site: { title: string; tagline: string }): string {
  const paths = CATEGORY_ICON_PATHS[category.id];
  const icon = paths
    ? `<g transform="translate(860 150) scale(11)" fill="none" stroke="#0b5cad" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">${paths.map((d) => `<path d="${xml(d)}"/>`).join('')}</g>`
    : `<text x="990" y="330" font-size="160" text-anchor="middle">${xml(category.icon)}</text>`;
  const desc = wrap(category.description, 46, 3)
    .map((line, i) => `<text x="80" y="${390 + i * 48}" font-size="34" fill="#3d4752">${xml(line)}</text>`)
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${CARD_HEIGHT}" viewBox="0 0 ${CARD_WIDTH} ${CARD_HEIGHT}" font-family="Inter, 'Noto Sans', 'DejaVu Sans', sans-serif">`,
    `<rect width="${CARD_WIDTH}" height="${CARD_HEIGHT}" fill="#f6f8fa"/>`,
    `<rect width="${CARD_WIDTH}" height="16" fill="#0b5cad"/>`,
    '<g transform="translate(80 80) scale(2)"><rect width="32" height="32" rx="7" fill="#0b5cad"/><path d="M6 20h20v3H6zM9 9h3v10H9zm5 2h3v8h-3zm5-3h3v11h-3z" fill="#fff"/></g>',
    `<text x="164" y="130" font-size="40" font-weight="700" fill="#0d1117">${xml(site.title)}</text>`,
    `<text x="80" y="310" font-size="76" font-weight="700" fill="#0d1117">${xml(cutAtWord(category.name, 22))}</text>`,
    desc,
    `<text x="80" y="570" font-size="28" fill="#0b5cad">${xml(cutAtWord(site.tagline, 70))}</text>`,
    icon,
    '</svg>',
  ].join('');
}
