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

const pages = [
  ['home', ''],
  ['plugin', 'plugins/count-vowels/'],
  ['search', 'search/?q=text'],
  ['home-zh', 'zh/'],
];
const server = await serveSite(dist);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
try {
  for (const scheme of ['light', 'dark']) {
    const ctx = await browser.newContext({ colorScheme: scheme, viewport: { width: 1200, height: 900 } });
    for (const [name, path] of pages) {
      const page = await ctx.newPage();
      await page.goto(new URL(path, server.url).toString());
      if (path.startsWith('search')) await page.waitForSelector('#results li');
      const file = join(outDir, `${name}-${scheme}.png`);
      await page.screenshot({ path: file, fullPage: name === 'plugin' });
      console.log(file);
      await page.close();
    }
    await ctx.close();
  }
} finally {
  await browser.close();
  await server.close();
}
