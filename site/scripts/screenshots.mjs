// PNGs of the home, plugin and search pages in light and dark, from the built site (site/dist):
//   npm run build -w site && npm run screenshots -w site
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveSite } from './serve-site.mjs';

const site = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(site, 'dist');
if (!existsSync(dist)) throw new Error('site/dist is missing: run `npm run build -w site` first');
const outDir = join(site, 'screenshots');
mkdirSync(outDir, { recursive: true });

// [name, path, viewport width, full page]
const pages = [
  ['home', '', 1200, false],
  ['plugin', 'plugins/count-vowels/', 1200, true],
  ['search', 'search/?q=text', 1200, false],
  ['category', 'categories/utility/', 1200, false],
  ['home-zh', 'zh/', 1200, false],
  ['plugin-zh', 'zh/plugins/festival-greeter/', 1200, false],
  ['plugin-mobile', 'plugins/count-vowels/', 360, false],
];
const server = await serveSite(dist);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
try {
  for (const scheme of ['light', 'dark']) {
    const ctx = await browser.newContext({ colorScheme: scheme });
    for (const [name, path, width, full] of pages) {
      const page = await ctx.newPage();
      await page.setViewportSize({ width, height: width < 600 ? 780 : 900 });
      await page.goto(new URL(path, server.url).toString());
      if (path.startsWith('search')) await page.waitForSelector('#results li');
      const file = join(outDir, `${name}-${scheme}.png`);
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: file, fullPage: full });
      console.log(file);
      await page.close();
    }
    await ctx.close();
  }
} finally {
  await browser.close();
  await server.close();
}
