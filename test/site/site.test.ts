// The catalog in real Chromium: builds the site once from a fixture registry (the committed one plus a rich
// plugin and hostile metadata), serves it on 127.0.0.1 and drives it with playwright-core (issue 5 "Done when").
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startStaticServer } from '@wharf/tools';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SiteServer, serveSite } from '../../site/scripts/serve-site.mjs';
import { axeContext, inPool, seriousViolations } from './axe.js';
import {
  FIXTURE_REPO,
  FIXTURE_ROOT,
  fixtureRegistry,
  fixtureSources,
  HOSTILE_README,
  RICH_ID,
  XSS_CTRL_ID,
  XSS_DESCRIPTION,
  XSS_ID,
  XSS_NAME,
} from './fixture-registry.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const BUILDS = join(REPO, 'site', 'node_modules', '.wharf-builds');

let tmp: string;
let out: string;
let buildLog: string;
let server: SiteServer;
let browser: Browser;
let context: BrowserContext;

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.html'))
    .map((f) => join(dir, f));
}

async function open(path: string, opts: { width?: number } = {}): Promise<Page> {
  const page = await context.newPage();
  if (opts.width) await page.setViewportSize({ width: opts.width, height: 800 });
  page.on('dialog', (d) => {
    throw new Error(`unexpected dialog: ${d.message()}`);
  });
  await page.goto(new URL(path, server.url).toString());
  return page;
}

async function search(page: Page, text: string): Promise<string[]> {
  await page.fill('#q', text);
  // The status keeps the previous answer's count until the new one is drawn: wait for the answer to this text.
  await page.waitForFunction((q) => document.getElementById('search-status')?.dataset.answers === q, text);
  return page.$$eval('#results a.card-title', (as) => as.map((a) => (a as HTMLAnchorElement).pathname));
}

beforeAll(async () => {
  // Inside site/node_modules: Astro writes its prerender chunks into outDir when outDir is under its cwd (else
  // into the shared site/.astro), and those chunks must resolve packages from the repo's node_modules.
  mkdirSync(BUILDS, { recursive: true });
  tmp = mkdtempSync(join(BUILDS, 'test-'));
  out = join(tmp, 'out');
  const registryFile = join(tmp, 'registry.json');
  writeFileSync(registryFile, JSON.stringify(fixtureRegistry(REPO)));
  writeFileSync(join(tmp, 'sources.json'), JSON.stringify(fixtureSources()));
  mkdirSync(join(tmp, 'metadata'));
  writeFileSync(join(tmp, 'metadata', '1.root.json'), FIXTURE_ROOT);
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [join(REPO, 'node_modules', 'astro', 'astro.js'), 'build', '--silent'],
    {
      cwd: join(REPO, 'site'),
      env: {
        ...process.env,
        WHARF_REGISTRY: registryFile,
        WHARF_SITE_OUT: out,
        WHARF_SITE_URL: SITE_URL,
        ASTRO_TELEMETRY_DISABLED: '1',
      },
      maxBuffer: 64 << 20,
    },
  );
  buildLog = stdout + stderr;
  server = await serveSite(out);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
  context = await browser.newContext({ colorScheme: 'light' });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const SITE_URL = 'https://plugins.example.test';
const LIGHT_BG = 'rgb(255, 255, 255)';
const DARK_BG = 'rgb(13, 17, 23)';

describe('hygiene', () => {
  it('an unknown path gets the styled 404 page, from the site server and from the npm start server', async () => {
    const demo = await startStaticServer(out);
    try {
      for (const base of [server.url, `${demo.url}/`]) {
        for (const path of ['plugins/no-such-plugin/', 'zh/nothing', '..%2f..%2fetc/passwd']) {
          const res = await fetch(new URL(path, base));
          expect(res.status, `${base}${path}`).toBe(404);
          expect(res.headers.get('content-type')).toContain('text/html');
          const html = await res.text();
          expect(html).toContain('Page not found');
          expect(html).toMatch(/<link rel="stylesheet" href="\/_astro\/[^"]+\.css"/);
        }
      }
      // And as a visitor sees it: the site's layout, not a bare line of text.
      const page = await context.newPage();
      await page.goto(`${demo.url}/plugins/no-such-plugin/`);
      expect(await page.textContent('h1')).toBe('Page not found');
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(LIGHT_BG);
      await page.close();
    } finally {
      await demo.close();
    }
  });

  it('dist holds the site only: no content-layer modules or collection schemas', async () => {
    // Astro leaves them when outDir is outside site/ — as npm start's .wharf-demo/site is — so build there too.
    const outside = mkdtempSync(join(tmpdir(), 'wharf-site-outside-'));
    try {
      await promisify(execFile)(
        process.execPath,
        [join(REPO, 'node_modules', 'astro', 'astro.js'), 'build', '--silent'],
        {
          cwd: join(REPO, 'site'),
          env: {
            ...process.env,
            WHARF_REGISTRY: join(tmp, 'registry.json'),
            WHARF_SITE_OUT: join(outside, 'out'),
            ASTRO_TELEMETRY_DISABLED: '1',
          },
          maxBuffer: 64 << 20,
        },
      );
      for (const dir of [out, join(outside, 'out')]) {
        const files = readdirSync(dir, { recursive: true, encoding: 'utf8' });
        const internals = files.filter((f) =>
          /^(content-modules\.mjs|content-assets\.mjs|collections([\\/]|$))/.test(f),
        );
        expect(internals, dir).toEqual([]);
        expect(files).toContain('404.html');
      }
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  }, 120_000);

  it("links to the marketplace repository come from the registry tree's sources.json", async () => {
    const page = await open('');
    expect(await page.getAttribute('#footer-repo', 'href')).toBe(FIXTURE_REPO);
    expect(await page.getAttribute('#footer-submit', 'href')).toBe(
      `${FIXTURE_REPO}/issues/new?template=plugin-submission.yml`,
    );
    await page.close();
  });

  it('the site package reads registry data only: it depends on neither @wharf/tools nor @wharf/client', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'site', 'package.json'), 'utf8'));
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    expect(deps).not.toContain('@wharf/tools');
    expect(deps).not.toContain('@wharf/client');
    const sources = ['src', 'scripts'].flatMap((d) =>
      readdirSync(join(REPO, 'site', d), { recursive: true, encoding: 'utf8' })
        .filter((f) => /\.(m?[jt]s|astro)$/.test(f))
        .map((f) => join(d, f)),
    );
    sources.push('astro.config.mjs');
    for (const f of sources) {
      expect(readFileSync(join(REPO, 'site', f), 'utf8'), f).not.toMatch(/['"]@wharf\/(tools|client)['"]/);
    }
  });
});

describe('search', () => {
  it('typing "vowel" shows count-vowels first', async () => {
    const page = await open('search/');
    expect((await search(page, 'vowel'))[0]).toBe('/plugins/count-vowels/');
    // Keyboard: ↓ from the box focuses the first result.
    await page.press('#q', 'ArrowDown');
    expect(await page.evaluate(() => (document.activeElement as HTMLAnchorElement).pathname)).toBe(
      '/plugins/count-vowels/',
    );
    await page.close();
  });

  it('a Chinese query finds a plugin by its Chinese description', async () => {
    const page = await open('zh/search/');
    // "春节快乐" appears only in festival-greeter's description_zh.
    expect(await search(page, '春节快乐')).toEqual(['/zh/plugins/festival-greeter/']);
    expect(await search(page, '元音')).toContain('/zh/plugins/count-vowels/');
    await page.close();
  });

  it('the category filter narrows the results and the URL keeps the state', async () => {
    const page = await open('search/');
    const all = await search(page, 'example');
    expect(all).toEqual(expect.arrayContaining(['/plugins/count-vowels/', '/plugins/greet/']));
    await page.selectOption('#f-category', 'entertainment');
    await page.waitForFunction(() => document.querySelectorAll('#results a').length === 1);
    expect(new URL(page.url()).searchParams.get('category')).toBe('entertainment');
    expect(new URL(page.url()).searchParams.get('q')).toBe('example');
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('#results a').length === 1);
    expect(await page.inputValue('#q')).toBe('example');
    expect(await page.inputValue('#f-category')).toBe('entertainment');
    expect(await page.$$eval('#results a.card-title', (as) => as.map((a) => a.textContent))).toEqual(['Greet']);
    await page.close();
  });
});

describe('plugin page', () => {
  it('shows the install command, permissions with justifications, versions and the review', async () => {
    const page = await open(`plugins/${RICH_ID}/`);
    expect(await page.textContent('#install-cmd')).toBe(`wharf install acme:${RICH_ID}`);
    const perms = await page.textContent('.perms');
    expect(perms).toContain('api.example.com');
    expect(perms).toContain('Fetches exchange rates from the example API.');
    const rows = await page.$$eval('table.versions tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.includes('1.0.0'))).toContain('Yanked: leaked a token in logs');
    expect(rows.find((r) => r.includes('1.1.0'))).toContain('Deprecated: use 1.2.0');
    expect(await page.textContent('#h-review + .scores')).toMatch(/92.*81/s);
    await page.close();
  });
});

describe('a first-time visitor', () => {
  it('gets every step from nothing to a call: CLI, source with root fingerprint, install, run, MCP', async () => {
    const page = await open(`plugins/${RICH_ID}/`);
    const root = createHash('sha256').update(FIXTURE_ROOT).digest('hex');
    expect(await page.textContent('#cmd-cli')).toBe('npm install -g @wharf/client');
    expect(await page.textContent('#cmd-source')).toBe(
      [
        'wharf source add acme https://raw.githubusercontent.com/acme-fixture/catalog/main/registry \\',
        '  --mirror https://gitee.com/acme-fixture/catalog/raw/main/registry \\',
        `  --root-sha256 ${root}`,
        'wharf refresh',
      ].join('\n'),
    );
    // sample_input is shell-quoted: the quote and $HOME reach the plugin as typed.
    expect(await page.textContent('#cmd-run')).toBe(
      `wharf run acme:${RICH_ID} fetch_rate --input 'EUR it'\\''s $HOME'`,
    );
    const mcp = JSON.parse((await page.textContent('#cmd-mcp')) ?? '');
    expect(mcp).toEqual({
      mcpServers: { [`wharf-${RICH_ID}`]: { command: 'wharf', args: ['mcp', '--plugin', `acme:${RICH_ID}`] } },
    });
    const mastra = (await page.textContent('#cmd-mastra')) ?? '';
    expect(mastra).toContain("import { MCPClient } from '@mastra/mcp';");
    expect(mastra).toContain(`args: ['mcp', '--plugin', "acme:${RICH_ID}"]`);
    expect(mastra).toContain('tools: await mcp.getTools()');
    expect(await page.textContent('#h-start + .steps')).toContain('http-fetcher__fetch_rate');
    await page.close();
  });

  it('export descriptions are translated on the Chinese page when the release has them', async () => {
    const zh = await open(`zh/plugins/${RICH_ID}/`);
    expect(await zh.textContent('.export')).toContain('获取一个汇率。');
    expect(await zh.textContent('.export')).not.toContain('Fetch one exchange rate.');
    await zh.close();
    const en = await open(`plugins/${RICH_ID}/`);
    expect(await en.textContent('.export')).toContain('Fetch one exchange rate.');
    await en.close();
  });

  it('tables at 360 px break no word: every word of every cell sits on one line', async () => {
    for (const path of [`plugins/${RICH_ID}/`, `zh/plugins/${RICH_ID}/`]) {
      const page = await open(path, { width: 360 });
      const broken = await page.evaluate(() => {
        const out: string[] = [];
        for (const cell of document.querySelectorAll('table th, table td')) {
          const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            // A sha256 is one long token; it may break anywhere by design.
            if ((n.parentElement as HTMLElement).closest('.hash')) continue;
            const text = n.textContent ?? '';
            for (const m of text.matchAll(/\S+/g)) {
              const r = document.createRange();
              r.setStart(n, m.index);
              r.setEnd(n, m.index + m[0].length);
              const tops = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
              if (tops.size > 1) out.push(m[0]);
            }
          }
        }
        return out;
      });
      expect(broken, path).toEqual([]);
      await page.close();
    }
  });
});

describe('README', () => {
  it('renders the README as the main body, with links and images resolved to the repository at the tag', async () => {
    const page = await open(`plugins/${RICH_ID}/`);
    const readme = page.locator('#readme');
    expect(await readme.locator('h2').first().textContent()).toBe('HTTP Fetcher');
    expect(await readme.locator('strong').first().textContent()).toBe('exchange rates');
    const hrefs = await readme.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toContain('https://github.com/wharf-plugins/wharf/blob/v1.2.0/docs/guide.md');
    expect(hrefs).toContain('https://example.org/x');
    expect(hrefs).toContain('https://raw.githubusercontent.com/wharf-plugins/wharf/v1.2.0/img/flow.png');
    // Code is highlighted at build time, with classes only.
    expect(await readme.locator('pre code.language-ts .hljs-keyword').count()).toBeGreaterThan(0);
    expect(await readme.locator('table td').count()).toBe(2);
    await page.close();
  });

  it('a hostile README runs nothing: no script, handler, style, frame, form or dangerous link survives', async () => {
    const errors: string[] = [];
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(new URL(`plugins/${RICH_ID}/`, server.url).toString());
    // Click everything the README offers that is not a plain https/fragment link.
    for (const el of await page.locator('#readme *').all()) {
      const href = await el.getAttribute('href');
      if (href === null || href.startsWith('#')) await el.click({ force: true, noWaitAfter: true, timeout: 2000 });
    }
    const state = await page.evaluate(() => {
      const r = document.getElementById('readme') as HTMLElement;
      return {
        xss: (window as unknown as { __xss?: number }).__xss,
        scripts: r.querySelectorAll('script').length,
        frames: r.querySelectorAll('iframe, object, embed, form, input, svg, img').length,
        styled: r.querySelectorAll('[style]').length,
        handlers: [...r.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on')))
          .length,
        hrefs: [...r.querySelectorAll('[href]')].map((a) => a.getAttribute('href') ?? ''),
      };
    });
    expect(state.xss).toBeUndefined();
    expect(state).toMatchObject({ scripts: 0, frames: 0, styled: 0, handlers: 0 });
    for (const h of state.hrefs) expect(h.startsWith('https://') || h.startsWith('#'), h).toBe(true);
    expect(errors.filter((e) => /Content Security Policy/.test(e))).toEqual([]);
    expect(HOSTILE_README).toContain('<script>');
    await page.close();
  });
});

describe('feeds and static API', () => {
  /** Fetches an XML file in the browser and parses it with its DOMParser, as a feed reader would. */
  async function parsed(path: string) {
    const page = await open('');
    const r = await page.evaluate(async (url) => {
      const res = await fetch(url);
      const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
      const ns = doc.documentElement.namespaceURI;
      const entries = [...doc.getElementsByTagNameNS(ns, 'entry')].map((e) => ({
        id: e.getElementsByTagNameNS(ns, 'id')[0]?.textContent ?? '',
        title: e.getElementsByTagNameNS(ns, 'title')[0]?.textContent ?? '',
        updated: e.getElementsByTagNameNS(ns, 'updated')[0]?.textContent ?? '',
        link: e.getElementsByTagNameNS(ns, 'link')[0]?.getAttribute('href') ?? '',
      }));
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        error: doc.getElementsByTagName('parsererror').length,
        root: doc.documentElement.localName,
        ns,
        entries,
        locs: [...doc.getElementsByTagNameNS(ns, 'loc')].map((l) => l.textContent ?? ''),
        self: [...doc.getElementsByTagNameNS(ns, 'link')]
          .find((l) => l.getAttribute('rel') === 'self')
          ?.getAttribute('href'),
      };
    }, new URL(path, server.url).toString());
    await page.close();
    return r;
  }

  it('the Atom feeds parse, name every release with an id, date and link, and keep hostile names as text', async () => {
    const all = await parsed('feed.xml');
    expect(all).toMatchObject({ status: 200, error: 0, root: 'feed', ns: 'http://www.w3.org/2005/Atom' });
    expect(all.self).toBe(`${SITE_URL}/feed.xml`);
    expect(all.entries.length).toBeGreaterThan(5);
    for (const e of all.entries) {
      expect(e.id).toMatch(/^urn:wharf:release:[a-z0-9-]+:\d+\.\d+\.\d+/);
      expect(Number.isNaN(Date.parse(e.updated))).toBe(false);
      expect(e.link).toMatch(new RegExp(`^${SITE_URL}/plugins/[a-z0-9-]+/$`));
    }
    const dates = all.entries.map((e) => e.updated);
    expect(dates).toEqual([...dates].sort().reverse());
    const rich = await parsed(`plugins/${RICH_ID}/feed.xml`);
    expect(rich.error).toBe(0);
    expect(rich.entries.map((e) => e.title)).toEqual([
      'HTTP Fetcher 1.2.0',
      'HTTP Fetcher 1.1.0 (deprecated)',
      'HTTP Fetcher 1.0.0 (yanked)',
    ]);
    const xss = await parsed(`plugins/${XSS_ID}/feed.xml`);
    expect(xss.error).toBe(0);
    expect(xss.entries[0]?.title).toBe(`${XSS_NAME} 0.1.0`);
  });

  it('/api/index.json lists every listed plugin and /api/plugins/<id>.json is its registry entry', async () => {
    const registry = fixtureRegistry(REPO);
    const listed = registry.plugins.filter((p) => p.status !== 'removed');
    const index = await (await fetch(new URL('api/index.json', server.url))).json();
    expect(index.api_version).toBe(1);
    expect(index.plugins.map((p: { plugin_id: string }) => p.plugin_id).sort()).toEqual(
      listed.map((p) => p.plugin_id).sort(),
    );
    const summary = index.plugins.find((p: { plugin_id: string }) => p.plugin_id === RICH_ID);
    expect(summary).toMatchObject({
      latest: '1.2.0',
      verified: true,
      downloads: 5,
      api: `/api/plugins/${RICH_ID}.json`,
    });
    const res = await fetch(new URL(summary.api.slice(1), server.url));
    expect(res.headers.get('content-type')).toContain('application/json');
    const one = await res.json();
    expect(one.plugin).toEqual(listed.find((p) => p.plugin_id === RICH_ID));
    // The build-done hook writes both files for every listed plugin, and none for a removed one.
    for (const p of registry.plugins) {
      const files = [join(out, 'api', 'plugins', `${p.plugin_id}.json`), join(out, 'plugins', p.plugin_id, 'feed.xml')];
      expect(
        files.map((f) => existsSync(f)),
        p.plugin_id,
      ).toEqual(p.status === 'removed' ? [false, false] : [true, true]);
    }
    // Documented in both languages.
    for (const lang of ['', 'zh/']) {
      const doc = await (await fetch(new URL(`${lang}docs/api/`, server.url))).text();
      expect(doc).toContain('/api/index.json');
      expect(doc).toMatch(/\/api\/plugins\/(&lt;|&#x3C;)id(&gt;|>)\.json/);
      expect(doc).toContain('/feed.xml');
    }
  });

  it('plugin pages carry OpenGraph cards and feed links; sitemap.xml and robots.txt cover the site', async () => {
    const page = await open(`zh/plugins/${RICH_ID}/`);
    const meta = (p: string) => page.getAttribute(`meta[property="${p}"]`, 'content');
    expect(await meta('og:title')).toBe('网络抓取');
    expect(await meta('og:description')).toBe('通过 HTTP 从声明的主机获取汇率。');
    expect(await meta('og:type')).toBe('article');
    expect(await meta('og:url')).toBe(`${SITE_URL}/zh/plugins/${RICH_ID}/`);
    expect(await meta('og:locale')).toBe('zh_CN');
    // Its category's card (one 1200×630 PNG per category), named in the page's language.
    expect(await meta('og:image')).toBe(`${SITE_URL}/og/integration.png`);
    expect(await meta('og:image:alt')).toBe('Wharf 插件市场 · 系统集成');
    expect(await page.getAttribute('meta[name="twitter:card"]', 'content')).toBe('summary_large_image');
    expect(await page.getAttribute('meta[name="twitter:title"]', 'content')).toBe('网络抓取');
    for (const card of ['og/integration.png', 'og/utility.png', 'og-card.png']) {
      const res = await fetch(new URL(card, server.url));
      expect(res.headers.get('content-type'), card).toBe('image/png');
      const png = Buffer.from(await res.arrayBuffer());
      expect(png.subarray(1, 4).toString(), card).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], card).toEqual([1200, 630]);
    }
    // Another plugin, in another category: its own title, description, URL and card.
    const other = await open(`plugins/count-vowels/`);
    const otherMeta = (p: string) => other.getAttribute(`meta[property="${p}"]`, 'content');
    expect(await otherMeta('og:url')).toBe(`${SITE_URL}/plugins/count-vowels/`);
    expect(await otherMeta('og:image')).toBe(`${SITE_URL}/og/utility.png`);
    expect(await otherMeta('og:title')).toBe(await other.textContent('h1'));
    expect(await otherMeta('og:description')).toBe(await other.getAttribute('meta[name="description"]', 'content'));
    await other.close();
    const feeds = await page.$$eval('link[rel=alternate][type="application/atom+xml"]', (ls) =>
      ls.map((l) => l.getAttribute('href')),
    );
    expect(feeds).toEqual(['/feed.xml', `/plugins/${RICH_ID}/feed.xml`]);
    await page.close();

    const map = await parsed('sitemap.xml');
    expect(map).toMatchObject({ error: 0, root: 'urlset', ns: 'http://www.sitemaps.org/schemas/sitemap/0.9' });
    for (const path of ['', 'zh/', `plugins/${RICH_ID}/`, `zh/plugins/${RICH_ID}/`, 'categories/utility/', 'docs/api/'])
      expect(map.locs).toContain(`${SITE_URL}/${path}`);
    expect(new Set(map.locs).size).toBe(map.locs.length);
    // Every listed page exists.
    for (const loc of map.locs) {
      const local = new URL(new URL(loc).pathname.slice(1), server.url);
      expect((await fetch(local, { method: 'HEAD' })).status, loc).toBe(200);
    }
    const robots = await (await fetch(new URL('robots.txt', server.url))).text();
    expect(robots).toContain('User-agent: *');
    expect(robots).toContain(`Sitemap: ${SITE_URL}/sitemap.xml`);
  });
});

describe('cards and counts', () => {
  it('counts are words with the right plural, in both languages, on the home page, categories and search', async () => {
    const count = (page: Page, id: string) => page.textContent(`.categories a[href$="/categories/${id}/"] .cat-count`);
    const en = await open('');
    expect(await count(en, 'integration')).toBe('1 plugin');
    expect(await count(en, 'utility')).toMatch(/^\d+ plugins$/);
    await en.close();
    const zh = await open('zh/');
    expect(await count(zh, 'integration')).toBe('1 个插件');
    await zh.close();
    const cat = await open('categories/integration/');
    expect(await cat.textContent('main > p')).toContain('· 1 plugin');
    await cat.close();
    const search1 = await open('search/');
    await search(search1, 'exchange rates');
    expect(await search1.textContent('#search-status')).toBe('1 result');
    await search1.close();
    const searchZh = await open('zh/search/');
    await search(searchZh, '春节快乐');
    expect(await searchZh.textContent('#search-status')).toBe('1 个结果');
    await searchZh.close();
  });

  it('cards cut descriptions at a word, render `backticks` as code, and show author, version, date, downloads, badges', async () => {
    const registry = fixtureRegistry(REPO);
    for (const path of ['', 'zh/', 'categories/utility/', 'search/']) {
      const page = await open(path);
      if (path === 'search/') await search(page, 'example');
      const cards = await page.$$eval('.cards .card', (lis) =>
        lis.map((li) => ({
          href: (li.querySelector('a.card-title') as HTMLAnchorElement).pathname,
          desc: li.querySelector('.card-desc')?.textContent ?? '',
          codes: [...li.querySelectorAll('.card-desc code')].map((c) => c.textContent),
        })),
      );
      expect(cards.length, path).toBeGreaterThan(0);
      for (const c of cards) {
        const id = c.href.split('/').filter(Boolean).at(-1);
        const p = registry.plugins.find((x) => x.plugin_id === id);
        if (!p) throw new Error(`no plugin ${id}`);
        const full =
          (path.startsWith('zh') && p.description_zh ? p.description_zh.split('\n')[0] : p.short_description) ?? '';
        const plain = full.replace(/`([^`\n]+)`/g, '$1');
        if (!plain.includes('`')) expect(c.desc, `${path} ${id}: raw backtick`).not.toContain('`');
        if (c.desc.endsWith('…')) {
          const head = c.desc.slice(0, -1);
          expect(plain.startsWith(head), `${path} ${id}: "${c.desc}"`).toBe(true);
          // Cut between words: what follows the kept text in the original starts with a space or punctuation.
          if (/[A-Za-z]$/.test(head)) expect(plain.slice(head.length), `${path} ${id}`).toMatch(/^[\s,.;:!?)]/);
        } else expect(c.desc).toBe(plain);
      }
      await page.close();
    }
    const home = await open('');
    const greet = home.locator('.card', { has: home.locator('a[href="/plugins/greet/"]') }).first();
    expect(await greet.locator('.card-desc code').allTextContents()).toContain('greeting');
    const rich = home.locator('.card', { has: home.locator(`a[href="/plugins/count-vowels/"]`) }).first();
    const meta = (await rich.locator('.card-meta').textContent()) ?? '';
    expect(meta).toContain('Wharf Examples');
    expect(meta).toContain('0.1.0');
    expect(meta).toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(meta).toContain('1.5K');
    expect(await rich.locator('.badge-verified').count()).toBe(1);
    await home.close();
    const cat = await open('categories/integration/');
    expect((await cat.textContent('.card .badge-score'))?.trim()).toBe('Security 92 · Quality 81');
    await cat.close();
  });
});

describe('plugin page layout', () => {
  it('the README is the main body; install, versions, links, permissions and the signing key sit beside it', async () => {
    const page = await open(`plugins/${RICH_ID}/`, { width: 1280 });
    const main = await page.locator('.plugin-main').boundingBox();
    const side = await page.locator('aside.plugin-side').boundingBox();
    expect(main && side && side.x > main.x + main.width - 1).toBe(true);
    // The README comes before the step-by-step section in the main column.
    const order = await page.$$eval('.plugin-main > *', (els) => els.map((e) => e.className || e.tagName));
    expect(order.indexOf('readme-section')).toBeLessThan(order.indexOf('SECTION'));
    const aside = page.locator('aside.plugin-side');
    for (const id of ['h-install', 'h-side-versions', 'h-details', 'h-perms', 'h-key'])
      expect(await aside.locator(`#${id}`).count(), id).toBe(1);
    expect(await aside.locator('.side-versions li').count()).toBe(3);
    expect(await aside.locator('.perms').textContent()).toContain('May make HTTP requests to: api.example.com');
    expect((await aside.locator('.links a').allTextContents()).map((x) => x.trim())).toEqual(
      expect.arrayContaining(['Source on GitHub', 'Release feed (Atom)']),
    );
    await page.close();
  });
});

describe('languages and themes', () => {
  it('the language switch goes to the same page in the other language', async () => {
    const page = await open(`plugins/count-vowels/`);
    await page.click('#lang-switch');
    await page.waitForURL(/\/zh\/plugins\/count-vowels\/$/);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.textContent('h1')).toBe('元音计数');
    await page.click('#lang-switch');
    await page.waitForURL(/\/plugins\/count-vowels\/$/);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.close();
  });

  it('follows the system colour scheme and the toggle overrides it across pages', async () => {
    const bg = (p: Page) => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await browser.newContext({ colorScheme: 'dark' });
    const page = await dark.newPage();
    await page.goto(server.url);
    expect(await bg(page)).toBe(DARK_BG);
    expect(await page.getAttribute('#theme-toggle', 'aria-pressed')).toBeNull();
    expect(await page.textContent('#theme-toggle')).toBe('Switch to light theme');
    await page.click('#theme-toggle');
    expect(await bg(page)).toBe(LIGHT_BG);
    expect(await page.textContent('#theme-toggle')).toBe('Switch to dark theme');
    await page.goto(new URL('zh/search/', server.url).toString());
    expect(await bg(page)).toBe(LIGHT_BG);
    expect(await page.textContent('#theme-toggle')).toBe('切换到深色主题');
    await page.click('#theme-toggle');
    expect(await page.textContent('#theme-toggle')).toBe('切换到浅色主题');
    await dark.close();
  });
});

describe('accessibility and layout', () => {
  const pages = ['', `plugins/${RICH_ID}/`, 'search/?q=text', 'docs/', 'plugins/count-vowels/'];

  it('axe-core (WCAG 2.1 A/AA rules) finds no serious or critical violations on every page type, language and theme', async () => {
    const found: string[] = [];
    // Every page type: home, plugin (rich with README, plain, hostile), search, docs index and page, category, 404.
    const all = [...pages, `plugins/${XSS_ID}/`, 'docs/getting-started/', 'categories/utility/', 'no-such-page/'];
    const contexts = {
      light: await axeContext(browser, { colorScheme: 'light' }),
      dark: await axeContext(browser, { colorScheme: 'dark' }),
    };
    const checks = (['light', 'dark'] as const).flatMap((scheme) =>
      ['', 'zh/'].flatMap((lang) => all.map((path) => ({ scheme, path: `${lang}${path}` }))),
    );
    try {
      // Three pages at a time: the 36 checks took 85 s one after another.
      await inPool(checks, 3, async ({ scheme, path }) => {
        const page = await contexts[scheme].newPage();
        await page.goto(new URL(path, server.url).toString());
        if (path.replace(/^zh\//, '').startsWith('search')) await page.waitForSelector('#results li');
        found.push(
          ...(await seriousViolations(page, `${scheme} /${path}`, ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])),
        );
        await page.close();
      });
    } finally {
      await contexts.light.close();
      await contexts.dark.close();
    }
    expect(found.sort()).toEqual([]);
  }, 240_000);

  it('nothing overflows horizontally at 360 px', async () => {
    const wide: string[] = [];
    for (const path of [...pages, 'zh/', `zh/plugins/${RICH_ID}/`, `plugins/${XSS_ID}/`, 'categories/utility/']) {
      const page = await open(path, { width: 360 });
      if (path.startsWith('search')) await page.waitForSelector('#results li');
      const w = await page.evaluate(() => document.documentElement.scrollWidth);
      if (w > 360) wide.push(`/${path}: ${w}px`);
      await page.close();
    }
    expect(wide).toEqual([]);
  });
});

describe('safety', () => {
  it('drops non-https links and flags each in the build log with plugin id and field', () => {
    for (const field of ['homepage', 'repository/primary/url', 'repository/primary/releases_url']) {
      expect(buildLog).toContain(`plugin ${XSS_ID} field ${field}`);
    }
    expect(buildLog).toContain(`plugin ${XSS_ID} field repository/mirror/url`);
    expect(buildLog).toContain(`plugin ${XSS_CTRL_ID} field homepage`);
  });

  it('no javascript: URL reaches an href in any page, and no page has an inline script', () => {
    for (const file of htmlFiles(out)) {
      const html = readFileSync(file, 'utf8');
      for (const [, raw] of html.matchAll(/\bhref="([^"]*)"/gi)) {
        // As the browser reads it: entities decoded, then any scheme must be https (relative links have none).
        const href = (raw ?? '')
          .replace(/&#x([0-9a-f]+);?/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
          .replace(/&#(\d+);?/g, (_, d: string) => String.fromCodePoint(Number(d)))
          .replaceAll('&amp;', '&');
        // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers skip leading control characters
        const scheme = /^[\s\0-\x1f]*([a-z][a-z0-9+.-]*):/i.exec(href)?.[1];
        expect(scheme === undefined || scheme.toLowerCase() === 'https', `${file}: ${href}`).toBe(true);
        expect(href.toLowerCase()).not.toContain('javascript');
      }
      // Attribute values may hold "<script>" as harmless text (a meta description); look at tags only.
      const tags = html.replace(/="[^"]*"/g, '=""');
      for (const [tag] of tags.matchAll(/<script\b[^>]*>/gi)) expect(tag, file).toMatch(/\bsrc=/);
      expect(html).toContain('http-equiv="Content-Security-Policy"');
    }
  });

  it('markup in names and descriptions renders as text, on the plugin page, the home page and in search', async () => {
    for (const path of [`plugins/${XSS_ID}/`, '', 'search/']) {
      const page = await open(path);
      if (path === 'search/') await search(page, 'plain tail');
      const state = await page.evaluate(() => ({
        xss: (window as unknown as { __xss?: number }).__xss,
        imgs: document.querySelectorAll('img').length,
        inline: document.querySelectorAll('script:not([src])').length,
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as a reader sees it
        text: document.body.innerText,
      }));
      expect(state.xss).toBeUndefined();
      expect(state.imgs).toBe(0);
      expect(state.inline).toBe(0);
      expect(state.text).toContain(XSS_DESCRIPTION);
      expect(state.text).toContain(XSS_NAME);
      await page.close();
    }
  });

  it('with JavaScript off, the category pages list and link every plugin', () => {
    const registry = fixtureRegistry(REPO);
    const linked = new Set<string>();
    for (const file of htmlFiles(join(out, 'categories'))) {
      for (const [, id] of readFileSync(file, 'utf8').matchAll(/href="\/plugins\/([^/"]+)\/"/g)) linked.add(id ?? '');
    }
    expect([...linked].sort()).toEqual(registry.plugins.map((p) => p.plugin_id).sort());
  });
});
