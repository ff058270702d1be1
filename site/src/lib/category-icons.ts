// The built-in categories' glyphs: 24×24 outline paths, stroked in currentColor. Used by CategoryIcon.astro and
// the OpenGraph cards (og-cards.ts).
export const CATEGORY_ICON_PATHS: Record<string, string[]> = {
  ai_platform: ['M9 3v3M15 3v3M9 18v3M15 18v3M3 9h3M3 15h3M18 9h3M18 15h3', 'M6 6h12v12H6z', 'M10 10h4v4h-4z'],
  automation: ['M13 2 4 14h7l-1 8 9-12h-7l1-8z'],
  integration: [
    'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1',
    'M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
  ],
  utility: ['M14.7 6.3a4 4 0 0 0-5.4 5.2L3 17.8 6.2 21l6.3-6.3a4 4 0 0 0 5.2-5.4l-2.5 2.5-2.7-.5-.5-2.7z'],
  entertainment: [
    'M6 9h12a3 3 0 0 1 3 3v3a3 3 0 0 1-5.2 2L14 15h-4l-1.8 2A3 3 0 0 1 3 15v-3a3 3 0 0 1 3-3z',
    'M7 12h3M8.5 10.5v3M16 11.5h.01M18 13.5h.01',
  ],
};
