// Search everywhere (issue 13 item 4), in real Chromium over a built site: results as you type on the home
// page with the ARIA combobox keyboard pattern, bounded typo tolerance, counts in words in both languages,
// the closest names when nothing matches, and axe on the open list in both languages and themes.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { openSearchIndex } from '@wharf/schemas/search-index';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRegistry } from '../../bench/site/registry-gen.mjs';
import { type SiteServer, serveSite } from '../../site/scripts/serve-site.mjs';
import { SEARCH_INDEX_DIR, searchIndexFiles } from '../../site/src/lib/search-index-files.js';
import { axeContext, seriousViolations } from './axe.js';
import { fixtureRegistry } from './fixture-registry.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const BUILDS = join(REPO, 'site', 'node_modules', '.wharf-builds');

let tmp: string;
let server: SiteServer;
let browser: Browser;
let context: BrowserContext;

/** Builds the site from a registry file into a fresh dir under site/node_modules (see site.test.ts). */
async function buildSite(registryFile: string, out: string): Promise<void> {
  await promisify(execFile)(process.execPath, [join(REPO, 'node_modules', 'astro', 'astro.js'), 'build', '--silent'], {
    cwd: join(REPO, 'site'),
    env: { ...process.env, WHARF_REGISTRY: registryFile, WHARF_SITE_OUT: out, ASTRO_TELEMETRY_DISABLED: '1' },
    maxBuffer: 64 << 20,
  });
}

beforeAll(async () => {
  mkdirSync(BUILDS, { recursive: true });
  tmp = mkdtempSync(join(BUILDS, 'search-live-'));
  const registryFile = join(tmp, 'registry.json');
  writeFileSync(registryFile, JSON.stringify(fixtureRegistry(REPO)));
  await buildSite(registryFile, join(tmp, 'out'));
  server = await serveSite(join(tmp, 'out'));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
  context = await browser.newContext({ colorScheme: 'light' });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function open(path: string, ctx = context): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(new URL(path, server.url).toString());
  return page;
}

const BOX = '#q-home';
const STATUS = '.live-status';

/** Types into the home box and waits for the answer to that text (the status says a count or "no match"). */
async function typeHome(page: Page, text: string): Promise<string[]> {
  await page.fill(BOX, text);
  // The status keeps the previous answer's count until the new one is drawn: wait for the answer to this text.
  await page.waitForFunction(([sel, q]) => (document.querySelector(sel) as HTMLElement | null)?.dataset.answers === q, [
    STATUS,
    text,
  ] as const);
  return page.$$eval('[role="listbox"] [role="option"]', (os) => os.map((o) => (o as HTMLAnchorElement).pathname));
}

/** Types on /search/ and waits for the count line. */
async function typeSearch(page: Page, text: string): Promise<string[]> {
  await page.fill('#q', text);
  await page.waitForFunction((q) => document.getElementById('search-status')?.dataset.answers === q, text);
  return page.$$eval('#results a.card-title', (as) => as.map((a) => (a as HTMLAnchorElement).pathname));
}

const activeOption = (page: Page) =>
  page.evaluate(() => {
    const box = document.getElementById('q-home') as HTMLInputElement;
    const id = box.getAttribute('aria-activedescendant');
    const el = id ? document.getElementById(id) : null;
    return {
      focus: document.activeElement?.id,
      href: el ? (el as HTMLAnchorElement).pathname : null,
      selected: el?.getAttribute('aria-selected') ?? null,
      expanded: box.getAttribute('aria-expanded'),
    };
  });

describe('live search on the home page', () => {
  it('shows results as you type; ↓/↑ move the active option, Esc closes the list, Enter opens the plugin', async () => {
    const page = await open('');
    expect(await page.getAttribute(BOX, 'role')).toBe('combobox');
    expect(await page.isVisible('.live-panel')).toBe(false);
    // Each keystroke gets its own answer: "vo" then "vow".
    await page.focus(BOX);
    await page.keyboard.type('vo');
    await page.waitForFunction(() => (document.querySelector('.live-status')?.textContent ?? '') !== '');
    expect(await typeHome(page, 'vow')).toEqual(['/plugins/count-vowels/']);
    expect(await page.isVisible('.live-panel')).toBe(true);
    expect(await page.textContent('.live-option .live-name')).toBe('Count Vowels');

    // A word several plugins share: ↓ walks them, focus stays in the box (aria-activedescendant).
    const hits = await typeHome(page, 'text');
    expect(hits.length).toBeGreaterThan(1);
    await page.press(BOX, 'ArrowDown');
    expect(await activeOption(page)).toEqual({ focus: 'q-home', href: hits[0], selected: 'true', expanded: 'true' });
    await page.press(BOX, 'ArrowDown');
    expect((await activeOption(page)).href).toBe(hits[1]);
    await page.press(BOX, 'ArrowUp');
    expect((await activeOption(page)).href).toBe(hits[0]);
    expect(await page.$$eval('[role="option"][aria-selected="true"]', (os) => os.length)).toBe(1);

    await page.press(BOX, 'Escape');
    expect(await activeOption(page)).toMatchObject({ href: null, expanded: 'false' });
    expect(await page.isVisible('.live-panel')).toBe(false);
    expect(await page.inputValue(BOX)).toBe('text'); // Esc closes the list, it keeps what you typed

    await page.press(BOX, 'ArrowDown'); // reopens on the first option
    expect(await activeOption(page)).toMatchObject({ href: hits[0], expanded: 'true' });
    await Promise.all([page.waitForURL((u) => u.pathname === hits[0]), page.press(BOX, 'Enter')]);
    expect(await page.textContent('h1')).toBeTruthy();
    await page.close();
  });

  it('Enter with no option chosen goes to /search/ with the query, which shows the same results there', async () => {
    const page = await open('zh/');
    await typeHome(page, '元音');
    await Promise.all([page.waitForURL(/\/zh\/search\/\?q=/), page.press(BOX, 'Enter')]);
    await page.waitForFunction(() => document.querySelectorAll('#results a.card-title').length > 0);
    expect(await page.inputValue('#q')).toBe('元音');
    expect(
      await page.$$eval('#results a.card-title', (as) => as.map((a) => (a as HTMLAnchorElement).pathname)),
    ).toContain('/zh/plugins/count-vowels/');
    await page.close();
  });

  it('clearing the box closes the list and says nothing', async () => {
    const page = await open('');
    await typeHome(page, 'greet');
    await page.fill(BOX, '');
    await page.waitForFunction(() => document.querySelector('.live-panel')?.hasAttribute('hidden'));
    expect(await page.textContent(STATUS)).toBe('');
    await page.close();
  });
});

describe('typo tolerance, bounded by word length', () => {
  it('one typo in a word of 5 letters ("vowle") or 4 ("wprd") still finds the plugin, on home and /search/', async () => {
    const home = await open('');
    // Results, not the closest names a no-match would list: the status says a count.
    expect(await typeHome(home, 'vowle')).toContain('/plugins/count-vowels/');
    expect(await home.textContent(STATUS)).toMatch(/^\d+ results?$/);
    expect(await typeHome(home, 'wprd')).toContain('/plugins/word-stats/');
    expect(await home.textContent(STATUS)).toMatch(/^\d+ results?$/);
    await home.close();
    const search = await open('search/');
    expect(await typeSearch(search, 'vowle')).toContain('/plugins/count-vowels/');
    expect(await typeSearch(search, 'wprd')).toContain('/plugins/word-stats/');
    await search.close();
  });

  it('a 3-letter word gets no typo tolerance: "vpw" matches nothing', async () => {
    const search = await open('search/');
    expect(await typeSearch(search, 'vpw')).toEqual([]);
    await search.close();
  });
});

describe('counts in words', () => {
  it('"1 result" / "N results" and "1 个结果" / "N 个结果", on the home list and on /search/', async () => {
    const en = await open('');
    await typeHome(en, 'exchange rates');
    expect(await en.textContent(STATUS)).toBe('1 result');
    expect(await en.textContent('.live-count')).toBe('1 result');
    const many = await typeHome(en, 'text');
    expect(await en.textContent(STATUS)).toBe(`${many.length} results`);
    await en.close();

    const zh = await open('zh/');
    await typeHome(zh, '春节快乐');
    expect(await zh.textContent(STATUS)).toBe('1 个结果');
    const zhMany = await typeHome(zh, 'text');
    expect(await zh.textContent(STATUS)).toBe(`${zhMany.length} 个结果`);
    await zh.close();

    const search = await open('search/');
    await typeSearch(search, 'exchange rates');
    expect(await search.textContent('#search-status')).toBe('1 result');
    await search.close();
    const searchZh = await open('zh/search/');
    await typeSearch(searchZh, '春节快乐');
    expect(await searchZh.textContent('#search-status')).toBe('1 个结果');
    await searchZh.close();
  });
});

describe('no results', () => {
  it('offers the closest names as links, on the home list and on /search/, in both languages', async () => {
    const home = await open('');
    // Two edits from "greeter": past the typo tolerance, but near a name.
    expect(await typeHome(home, 'greeterzz')).not.toEqual([]);
    expect(await home.textContent(STATUS)).toBe('No plugins match.');
    expect(await home.textContent('.live-heading')).toBe('Closest names:');
    const near = await home.$$eval('[role="option"]', (os) => os.map((o) => (o as HTMLAnchorElement).pathname));
    expect(near).toContain('/plugins/festival-greeter/');
    await home.close();

    for (const [path, none, prefix] of [
      ['search/', 'No plugins match.', '/plugins/'],
      ['zh/search/', '没有匹配的插件。', '/zh/plugins/'],
    ] as const) {
      const page = await open(path);
      expect(await typeSearch(page, 'greeterzz')).toEqual([]);
      expect(await page.textContent('#search-status')).toBe(none);
      const links = await page.$$eval('#search-closest a', (as) => as.map((a) => (a as HTMLAnchorElement).pathname));
      expect(links, path).toContain(`${prefix}festival-greeter/`);
      // ↓ from the box reaches them as it reaches results.
      await page.press('#q', 'ArrowDown');
      expect(await page.evaluate(() => (document.activeElement as HTMLAnchorElement).pathname)).toBe(links[0]);
      await page.close();
    }
  });
});

describe('accessibility', () => {
  it('axe finds nothing serious on home (list open, options active, no-results) and /search/, in both languages and themes', async () => {
    const found: string[] = [];
    const axe = async (page: Page, what: string) => {
      found.push(
        ...(await seriousViolations(page, what, ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])),
      );
    };
    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await axeContext(browser, { colorScheme: scheme });
      // The two languages side by side: each waits on its own answers.
      await Promise.all(
        ['', 'zh/'].map(async (lang) => {
          const home = await open(lang, ctx);
          await typeHome(home, 'text');
          await home.press(BOX, 'ArrowDown');
          await axe(home, `${scheme} /${lang} open list`);
          await typeHome(home, 'greeterzz');
          await axe(home, `${scheme} /${lang} no results`);
          await home.close();
          const search = await open(`${lang}search/`, ctx);
          await typeSearch(search, 'greeterzz');
          await axe(search, `${scheme} /${lang}search/ no results`);
          await typeSearch(search, 'text');
          await axe(search, `${scheme} /${lang}search/ results`);
          await search.close();
        }),
      );
      await ctx.close();
    }
    expect(found).toEqual([]);
  }, 120_000);
});

/** The fixture build's pages and worker with a 10k-plugin index in place of its own, written by the same code
 * the build uses (a 10k Astro build is the bench's: bench/site/run.mjs). Made once, on first use. */
let tenK: string | undefined;
function tenKSite(): string {
  if (tenK) return tenK;
  const dir = join(tmp, 'out-10k');
  cpSync(join(tmp, 'out'), dir, { recursive: true });
  rmSync(join(dir, SEARCH_INDEX_DIR), { recursive: true, force: true });
  for (const [path, body] of searchIndexFiles(syntheticRegistry(10_000).plugins)) {
    const file = join(dir, SEARCH_INDEX_DIR, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, body);
  }
  tenK = dir;
  return dir;
}

describe('at 10k plugins', () => {
  it('the first query, on /search/ and in the home box, fetches at most 150 KB gzip (counted in the page)', async () => {
    const big = await serveSite(tenKSite());
    try {
      for (const [path, type] of [
        ['search/', typeSearch],
        ['', typeHome],
      ] as const) {
        const page = await context.newPage();
        await page.goto(new URL(path, big.url).toString());
        await page.waitForLoadState('networkidle');
        // From here on: the worker's code, the manifest and the chunks the query needs, each body gzip-sized.
        const sizes: Array<Promise<{ path: string; gz: number }>> = [];
        page.on('response', (r) => {
          sizes.push(r.body().then((b) => ({ path: new URL(r.url()).pathname, gz: gzipSync(b).length })));
        });
        const hits = await type(page, 'calendar');
        expect(hits.length, path).toBeGreaterThan(0);
        const fetched = await Promise.all(sizes);
        expect(fetched.map((f) => f.path)).toContain(`/${SEARCH_INDEX_DIR}manifest.json`); // the worker's fetches are seen
        const total = fetched.reduce((n, f) => n + f.gz, 0);
        expect(total, `${path}: ${JSON.stringify(fetched)}`).toBeLessThanOrEqual(150 * 1024);
        await page.close();
      }
    } finally {
      await big.close();
    }
  }, 120_000);

  it("a cold first query: the manifest is fetched beside the engine's chunk, and the top row shows before lower rows' docs are in", async () => {
    const dir = tenKSite();
    const indexDir = join(dir, SEARCH_INDEX_DIR);
    const read = async (p: string) => readFileSync(join(indexDir, p), 'utf8');
    const whole = await openSearchIndex(await read('manifest.json'), read).query('calendar', { limit: 24 });
    const top = whole.hits[0]?.id as string;
    const topChunk = readdirSync(join(indexDir, 'd')).find((f) =>
      readFileSync(join(indexDir, 'd', f), 'utf8').includes(`\n{"id":${JSON.stringify(top)},`),
    );
    expect(topChunk).toBeDefined();
    const big = await serveSite(dir);
    const page = await context.newPage();
    try {
      await page.goto(new URL('search/', big.url).toString());
      await page.waitForLoadState('networkidle');
      let manifestAsked!: () => void;
      const manifestSeen = new Promise<void>((ok) => {
        manifestAsked = ok;
      });
      let release!: () => void;
      const released = new Promise<void>((ok) => {
        release = ok;
      });
      let engineHeld = 'no engine chunk was fetched';
      await page.route('**/*', async (route) => {
        const path = new URL(route.request().url()).pathname;
        if (path.endsWith(`/${SEARCH_INDEX_DIR}manifest.json`)) manifestAsked();
        else if (/\/_astro\/search-engine[^/]*\.js$/.test(path)) {
          // Held until the manifest is asked for: a page that fetched it only after the engine loaded would
          // never ask, and the race below gives up (a clear failure, not a hang).
          engineHeld = await Promise.race([
            manifestSeen.then(() => 'manifest asked for first'),
            new Promise<string>((ok) => setTimeout(() => ok('the manifest waited for the engine'), 20_000)),
          ]);
        } else if (path.includes(`/${SEARCH_INDEX_DIR}d/`) && !path.endsWith(`/${topChunk}`)) await released;
        await route.continue();
      });
      await page.fill('#q', 'calendar');
      await page.waitForSelector('#results a.card-title');
      const early = await page.evaluate(() => ({
        rows: [...document.querySelectorAll<HTMLAnchorElement>('#results a.card-title')].map((a) => a.pathname),
        answers: document.getElementById('search-status')?.dataset.answers ?? null,
      }));
      expect(engineHeld).toBe('manifest asked for first');
      expect(early.rows[0]).toBe(`/plugins/${top}/`);
      expect(early.rows.length).toBeLessThan(whole.hits.length);
      expect(early.answers).toBeNull(); // the count line waits for the whole answer
      release();
      await page.waitForFunction(() => document.getElementById('search-status')?.dataset.answers === 'calendar');
      const rows = await page.$$eval('#results a.card-title', (as) => as.map((a) => (a as HTMLAnchorElement).pathname));
      expect(rows).toEqual(whole.hits.map((h) => `/plugins/${h.id}/`));
    } finally {
      await page.close();
      await big.close();
    }
  }, 120_000);
});
