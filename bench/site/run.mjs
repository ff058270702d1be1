// Site bench (DESIGN §9): for each registry size, build the catalog and report build time and output size,
// then search, side by side with Pagefind in the same run:
//   - the sharded index (files, bytes) and keystroke query p50/p95 in Node;
//   - in Chromium over loopback, behind a gzip front that counts what it sends: bytes fetched from the focus of
//     the box to the first results, the time from the first keystroke to the first results (focus and keystroke
//     at once, the worst case; and with the box focused a moment before), and the keystroke round trip p50/p95
//     (input event → results rendered) on a first pass over the keys (chunks fetched as needed) and warm;
//   - Pagefind (npm `pagefind`) indexed over the same built site (the English plugin pages) and measured the
//     same way on a page that uses its JS API.
//   node bench/site/run.mjs [10000] [100000] [--index-only]     (default: 10000)
// --index-only (or any size over WHARF_BENCH_FULL_MAX, default 20000) skips the Astro build at that size: the
// search index is written by the site's own code into a copy of a small built site (the same pages and worker),
// and Pagefind indexes the same documents as custom records. Builds go under site/node_modules/.wharf-builds/.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { buildSearchIndex, openSearchIndex, toSearchDocInput } from '@wharf/schemas/search-index';
import { chromium } from 'playwright-core';
import { serveSite } from '../../site/scripts/serve-site.mjs';
import { report } from '../report.mjs';
import { gzipProxy } from './gzip-proxy.mjs';
import { syntheticRegistry } from './registry-gen.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SITE = join(REPO, 'site');
const WORK = join(SITE, 'node_modules', '.wharf-builds');
const INDEX_DIR = 'search-index'; // as site/src/lib/search-engine.ts reads it
const args = process.argv.slice(2);
const indexOnly = args.includes('--index-only');
const sizes = args.filter((a) => !a.startsWith('--')).map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error(
    `usage: node bench/site/run.mjs [N ...] [--index-only] (plugin counts, e.g. 10000 100000); got ${args.join(' ')}`,
  );
  process.exit(2);
}
if (sizes.length === 0) sizes.push(10_000);
const FULL_MAX = Number(process.env.WHARF_BENCH_FULL_MAX ?? 20_000);
const SHELL_SIZE = 200; // the small site whose pages carry an index-only size's search

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;
const at = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

function dirSize(dir) {
  let bytes = 0;
  let gz = 0;
  let files = 0;
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const p = join(dir, f);
    if (!statSync(p).isFile()) continue;
    const body = readFileSync(p);
    bytes += body.length;
    gz += gzipSync(body).length;
    files += 1;
  }
  return { bytes, gz, files };
}

// Keystrokes: every prefix of each query, as typed (English words, two-word queries, a typo, Chinese).
const QUERIES = [
  'markdown table',
  'calendar',
  'vowel',
  'git sync',
  'template',
  'pdf export',
  'kanban',
  'daily notes',
  'calender',
  'task',
  'image',
  'json',
  '日历',
  '笔记同步',
  'ai chat',
  'invoice',
];
const keystrokes = QUERIES.flatMap((q) => Array.from(q, (_, i) => q.slice(0, i + 1))).filter((q) => q.trim() !== '');
const FIRST_QUERY = 'calendar';
const PAGE_RESULTS = 24; // what /search/ shows; the Pagefind page loads as many results' data

async function astroBuild(registryFile, out) {
  rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  await promisify(execFile)(process.execPath, [join(REPO, 'node_modules', 'astro', 'astro.js'), 'build', '--silent'], {
    cwd: SITE,
    env: { ...process.env, WHARF_REGISTRY: registryFile, WHARF_SITE_OUT: out, ASTRO_TELEMETRY_DISABLED: '1' },
    maxBuffer: 256 << 20,
  });
  return (performance.now() - t0) / 1000;
}

function dropBuild(out) {
  for (const d of [out, `${out}-cache`, `${out}-vite`]) rmSync(d, { recursive: true, force: true });
}

/** Keystroke query times in Node over the index files on disk (each file read once, as a browser caches). */
async function nodeTimes(dir) {
  const cache = new Map();
  const load = async (p) => {
    if (!cache.has(p)) cache.set(p, readFileSync(join(dir, p), 'utf8'));
    return cache.get(p);
  };
  const t0 = performance.now();
  const index = await openSearchIndex(JSON.parse(await load('manifest.json')), load);
  const openMs = performance.now() - t0;
  for (const q of keystrokes) await index.query(q, { limit: PAGE_RESULTS }); // warm: chunks loaded and parsed
  const times = [];
  for (let round = 0; round < 3; round++) {
    for (const q of keystrokes) {
      const t = performance.now();
      await index.query(q, { limit: PAGE_RESULTS });
      times.push(performance.now() - t);
    }
  }
  return { openMs, p50: at(times, 0.5), p95: at(times, 0.95) };
}

/**
 * In Chromium, on `path` behind the gzip front: focus the box and type FIRST_QUERY as one input event (the
 * worst case: nothing fetched before the keystroke), wait for results; then every keystroke, 60 ms apart.
 * `prefix` selects the fetches that count (index files and the engine's code, loaded on focus).
 */
async function browserTimes(browser, base, proxy, path) {
  const page = await browser.newPage();
  await page.goto(new URL(path, base).toString());
  await page.waitForLoadState('networkidle');
  const mark = proxy.log.length;
  const first = await page.evaluate((q) => {
    const input = document.getElementById('q');
    const list = document.getElementById('results');
    return new Promise((done) => {
      const t0 = performance.now();
      const mo = new MutationObserver(() => {
        if (list.children.length > 0) {
          mo.disconnect();
          const now = performance.now();
          done({ ms: now - t0, shown: list.children.length, at: performance.timeOrigin + now });
        }
      });
      mo.observe(list, { childList: true });
      input.focus();
      input.value = q;
      input.dispatchEvent(new Event('input'));
    });
  }, FIRST_QUERY);
  // What was sent before the results were drawn: the log is read only after the page's answer crosses CDP, and by
  // then the fetches for the rows below had often been sent too (4–14 fetches counted for the same first draw).
  const fetched = proxy.log.slice(mark).filter((r) => !r.path.startsWith('/favicon') && r.at <= first.at);
  const firstBytes = fetched.reduce((n, r) => n + r.bytes, 0);
  // The usual case: the box is focused a moment before the first keystroke, so what loads on focus (the
  // worker, the manifest) is there when the keystroke comes. Measured on a fresh page.
  const fresh = await browser.newPage();
  await fresh.goto(new URL(path, base).toString());
  await fresh.waitForLoadState('networkidle');
  await fresh.focus('#q');
  await fresh.waitForLoadState('networkidle');
  await new Promise((ok) => setTimeout(ok, 500)); // networkidle alone does not see a worker's fetches
  const focusedFirstMs = await fresh.evaluate((q) => {
    const input = document.getElementById('q');
    const list = document.getElementById('results');
    return new Promise((done) => {
      const t0 = performance.now();
      const mo = new MutationObserver(() => {
        if (list.children.length > 0) {
          mo.disconnect();
          done(performance.now() - t0);
        }
      });
      mo.observe(list, { childList: true });
      input.value = q;
      input.dispatchEvent(new Event('input'));
    });
  }, FIRST_QUERY);
  await fresh.close();
  const rest = await page.evaluate(async (keys) => {
    const input = document.getElementById('q');
    const status = document.getElementById('search-status');
    const list = document.getElementById('results');
    const type = (q) =>
      new Promise((done) => {
        const t = performance.now();
        const mo = new MutationObserver(() => {
          if (status.textContent === '' || /\d|No /.test(status.textContent)) {
            mo.disconnect();
            done(performance.now() - t);
          }
        });
        mo.observe(status, { childList: true, characterData: true, subtree: true });
        input.value = q;
        input.dispatchEvent(new Event('input'));
      });
    // Round 0 meets each chunk for the first time (fetches included); round 1 types the same keys again with
    // every chunk it needs already loaded: what typing costs once the index is warm.
    const times = [[], []];
    const engine = [[], []];
    for (let round = 0; round < 2; round++) {
      for (const q of keys) {
        // 60 ms apart, a fast typist: each keystroke starts after the previous results were painted.
        await new Promise((ok) => setTimeout(ok, 60));
        times[round].push(await type(q));
        engine[round].push(Number(list.dataset.queryMs));
      }
    }
    return { times, engine };
  }, keystrokes);
  await page.close();
  return {
    firstMs: first.ms,
    focusedFirstMs,
    shown: first.shown,
    firstBytes,
    firstFiles: fetched.length,
    p50: at(rest.times[0], 0.5),
    p95: at(rest.times[0], 0.95),
    engineP50: at(rest.engine[0], 0.5),
    engineP95: at(rest.engine[0], 0.95),
    warmP50: at(rest.times[1], 0.5),
    warmP95: at(rest.times[1], 0.95),
    warmEngineP95: at(rest.engine[1], 0.95),
    totalBytes: proxy.log
      .slice(mark)
      .filter((r) => !r.path.startsWith('/favicon'))
      .reduce((n, r) => n + r.bytes, 0),
  };
}

// Pagefind's side: a bare page using its JS API the way /search/ uses ours (load on focus, search on input,
// render the first PAGE_RESULTS results' titles). No CSP on this page: Pagefind's WebAssembly needs
// 'wasm-unsafe-eval', which the site's pages rightly do not grant.
const PF_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pagefind bench</title></head>
<body><input id="q" type="search"><p id="search-status"></p><ul id="results"></ul>
<script type="module" src="./bench.js"></script></body></html>`;
const PF_JS = `let pf;
let seq = 0;
const input = document.getElementById('q');
const list = document.getElementById('results');
const status = document.getElementById('search-status');
const start = () => (pf ??= import('../pagefind/pagefind.js').then(async (m) => { await m.init(); return m; }));
input.addEventListener('focus', start, { once: true });
input.addEventListener('input', async () => {
  const n = ++seq;
  const m = await start();
  const t0 = performance.now();
  if (input.value.trim() === '') { list.replaceChildren(); status.textContent = ''; return; }
  const r = await m.search(input.value);
  if (n !== seq) return;
  const data = await Promise.all(r.results.slice(0, ${PAGE_RESULTS}).map((x) => x.data()));
  if (n !== seq) return;
  list.dataset.queryMs = (performance.now() - t0).toFixed(2);
  list.replaceChildren(...data.map((d) => { const li = document.createElement('li'); li.textContent = d.meta.title; return li; }));
  status.textContent = r.results.length === 0 ? 'No results' : r.results.length + ' results';
});`;

async function pagefindIndex(out, docs) {
  const pagefind = await import('pagefind');
  rmSync(join(out, 'pagefind'), { recursive: true, force: true });
  const t0 = performance.now();
  const { index } = await pagefind.createIndex({});
  if (docs) {
    // Index-only sizes: the same fields our index has, one record per plugin.
    for (const d of docs)
      await index.addCustomRecord({
        url: `/plugins/${d.id}/`,
        content: [d.name, d.name_zh, d.short, d.description, d.short_zh, d.description_zh, (d.tags ?? []).join(' ')]
          .filter(Boolean)
          .join('\n'),
        language: 'en',
        meta: { title: d.name },
      });
  } else {
    // The built site: the English plugin pages, as a visitor reads them (README and all).
    await index.addDirectory({ path: out, glob: 'plugins/*/index.html' });
  }
  await index.writeFiles({ outputPath: join(out, 'pagefind') });
  await pagefind.close();
  const indexS = (performance.now() - t0) / 1000;
  mkdirSync(join(out, 'pagefind-bench'), { recursive: true });
  writeFileSync(join(out, 'pagefind-bench', 'index.html'), PF_HTML);
  writeFileSync(join(out, 'pagefind-bench', 'bench.js'), PF_JS);
  return { indexS, ...dirSize(join(out, 'pagefind')) };
}

let shell; // the small built site index-only sizes reuse

async function bench(size) {
  const reg = syntheticRegistry(size);
  mkdirSync(WORK, { recursive: true });
  const full = !indexOnly && size <= FULL_MAX;
  const out = join(WORK, `bench-${size}`);
  let buildS;
  if (full) {
    const regFile = join(WORK, `bench-${size}.json`);
    writeFileSync(regFile, JSON.stringify(reg));
    buildS = await astroBuild(regFile, out);
    rmSync(regFile, { force: true });
  } else {
    if (!shell) {
      shell = join(WORK, 'bench-shell');
      const regFile = join(WORK, 'bench-shell.json');
      writeFileSync(regFile, JSON.stringify(syntheticRegistry(SHELL_SIZE)));
      await astroBuild(regFile, shell);
      rmSync(regFile, { force: true });
    }
    rmSync(out, { recursive: true, force: true });
    cpSync(shell, out, { recursive: true });
    rmSync(join(out, INDEX_DIR), { recursive: true, force: true });
    const t0 = performance.now();
    const { files } = buildSearchIndex(reg.plugins.map(toSearchDocInput));
    // As site/src/lib/search-index-files.ts publishes them (TypeScript, so not importable here): no id buckets.
    for (const [p, body] of [...files].filter(([path]) => !path.startsWith('i/'))) {
      mkdirSync(dirname(join(out, INDEX_DIR, p)), { recursive: true });
      writeFileSync(join(out, INDEX_DIR, p), body);
    }
    buildS = undefined;
    console.log(`${size}: index only, written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const total = dirSize(out);
  const ours = dirSize(join(out, INDEX_DIR));
  const manifestGz = gzipSync(readFileSync(join(out, INDEX_DIR, 'manifest.json'))).length;
  const node = await nodeTimes(join(out, INDEX_DIR));
  const pf = await pagefindIndex(out, full ? undefined : reg.plugins.map(toSearchDocInput));

  const server = await serveSite(out);
  const proxy = await gzipProxy(server.url);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
  let chrome;
  let chromePf;
  try {
    chrome = await browserTimes(browser, proxy.url, proxy, 'search/');
    chromePf = await browserTimes(browser, proxy.url, proxy, 'pagefind-bench/');
  } finally {
    await browser.close();
    await proxy.close();
    await server.close();
  }
  dropBuild(out);
  return { size, full, buildS, total, ours, manifestGz, node, pf, chrome, chromePf };
}

const rows = [];
for (const size of sizes) {
  const r = await bench(size);
  rows.push(r);
  const c = r.chrome;
  const p = r.chromePf;
  console.log(
    `\n${r.size} plugins${r.full ? '' : ' (index only, on a small built site)'}` +
      (r.buildS !== undefined
        ? `: build ${r.buildS.toFixed(1)} s (${r.total.files} files, ${mb(r.total.bytes)})`
        : '') +
      `\n  ours:     index ${r.ours.files} files, ${mb(r.ours.bytes)} raw, ${mb(r.ours.gz)} gzip (manifest ${kb(r.manifestGz)} gzip)` +
      ` | Node keystroke p50 ${r.node.p50.toFixed(2)} ms p95 ${r.node.p95.toFixed(2)} ms (open ${r.node.openMs.toFixed(0)} ms)` +
      `\n            Chromium: first results ${c.firstMs.toFixed(0)} ms after the first keystroke (${c.focusedFirstMs.toFixed(0)} ms when the box was focused first), ${kb(c.firstBytes)} gzip in ${c.firstFiles} fetches;` +
      ` keystroke round trip, first pass (fetching) p50 ${c.p50.toFixed(1)} ms p95 ${c.p95.toFixed(1)} ms (engine p50 ${c.engineP50.toFixed(2)} p95 ${c.engineP95.toFixed(2)}),` +
      ` warm p50 ${c.warmP50.toFixed(1)} ms p95 ${c.warmP95.toFixed(1)} ms (engine p95 ${c.warmEngineP95.toFixed(2)}); ${kb(c.totalBytes)} over all keystrokes` +
      `\n  Pagefind: index ${r.pf.files} files, ${mb(r.pf.bytes)} (${mb(r.pf.gz)} gzip), ${r.pf.indexS.toFixed(1)} s to index` +
      `\n            Chromium: first results ${p.firstMs.toFixed(0)} ms after the first keystroke (${p.focusedFirstMs.toFixed(0)} ms when the box was focused first), ${kb(p.firstBytes)} in ${p.firstFiles} fetches;` +
      ` keystroke round trip, first pass p50 ${p.p50.toFixed(1)} ms p95 ${p.p95.toFixed(1)} ms (search+data p50 ${p.engineP50.toFixed(2)} p95 ${p.engineP95.toFixed(2)}),` +
      ` warm p50 ${p.warmP50.toFixed(1)} ms p95 ${p.warmP95.toFixed(1)} ms (search+data p95 ${p.warmEngineP95.toFixed(2)}); ${kb(p.totalBytes)} over all keystrokes`,
  );
}
console.log(
  '\nBudgets (DESIGN §9): ≤ 150 KB gzip fetched before the first result at 10k, ≤ 300 KB at 100k; first result ≤ 300 ms after the first keystroke; keystroke p95 < 10 ms at 10k; build 10k < 60 s.',
);
for (const r of rows) {
  const kbBudget = r.size >= 100_000 ? 300 : 150;
  console.log(
    `${String(r.size).padEnd(8)} bytes/${kbBudget}KB ${(r.chrome.firstBytes / 1024 / kbBudget).toFixed(2)} (Pagefind ${(r.chromePf.firstBytes / 1024 / kbBudget).toFixed(2)})  ` +
      `first/300ms ${(r.chrome.firstMs / 300).toFixed(2)} (Pagefind ${(r.chromePf.firstMs / 300).toFixed(2)})  ` +
      `Node p95/10ms ${(r.node.p95 / 10).toFixed(2)}  Chromium round trip p95/10ms first pass ${(r.chrome.p95 / 10).toFixed(2)} (Pagefind ${(r.chromePf.p95 / 10).toFixed(2)}), warm ${(r.chrome.warmP95 / 10).toFixed(2)} (Pagefind ${(r.chromePf.warmP95 / 10).toFixed(2)})` +
      (r.buildS !== undefined && r.size >= 10_000 ? `  build/60s ${(r.buildS / 60).toFixed(2)}` : ''),
  );
}
report(
  'site',
  rows.flatMap((r) => {
    const kbBudget = r.size >= 100_000 ? 300 : 150;
    const out = [
      {
        what: `search bytes to first result, ${r.size} (KB gzip as ms)`,
        ms: r.chrome.firstBytes / 1024,
        floor: 'Pagefind',
        floorMs: r.chromePf.firstBytes / 1024,
        budget: `≤ ${kbBudget} KB`,
        ok: r.chrome.firstBytes / 1024 <= kbBudget,
      },
      {
        what: `first result after first keystroke, ${r.size}`,
        ms: r.chrome.firstMs,
        floor: 'Pagefind',
        floorMs: r.chromePf.firstMs,
        budget: '≤ 300 ms',
        ok: r.chrome.firstMs <= 300,
      },
      {
        what: `first result after first keystroke, box focused first, ${r.size}`,
        ms: r.chrome.focusedFirstMs,
        floor: 'Pagefind',
        floorMs: r.chromePf.focusedFirstMs,
      },
      {
        what: `keystroke query p95 in Node, ${r.size}`,
        ms: r.node.p95,
        ...(r.size >= 10_000 && r.size < 100_000 ? { budget: '< 10 ms', ok: r.node.p95 < 10 } : {}),
      },
      {
        what: `keystroke round trip p95 in Chromium, first pass (fetching chunks), ${r.size}`,
        ms: r.chrome.p95,
        floor: 'Pagefind',
        floorMs: r.chromePf.p95,
      },
      {
        what: `keystroke round trip p95 in Chromium, warm, ${r.size}`,
        ms: r.chrome.warmP95,
        floor: 'Pagefind',
        floorMs: r.chromePf.warmP95,
        ...(r.size >= 10_000 && r.size < 100_000 ? { budget: '< 10 ms', ok: r.chrome.warmP95 < 10 } : {}),
      },
    ];
    if (r.buildS !== undefined)
      out.push({
        what: `site build, ${r.size}`,
        ms: r.buildS * 1000,
        ...(r.size >= 10_000 ? { budget: '< 60 s', ok: r.buildS < 60 } : {}),
      });
    return out;
  }),
);
if (shell) dropBuild(shell);
