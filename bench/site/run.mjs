// Site bench (DESIGN §9): for each registry size, build the catalog and report build time, output size, the
// search index (raw and gzip) and keystroke query p50/p95 in Node — against stock MiniSearch options
// (prefix + fuzzy on every term, OR) on the same index, measured in the same run.
//   node bench/site/run.mjs [obsidian] [10000] [50000] ...      (default: obsidian 10000 50000)
// Needs `npx tsc -b` (for @wharf/schemas). Builds go under site/node_modules/.wharf-builds/ and are removed.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import MiniSearch from 'minisearch';
import { chromium } from 'playwright-core';
import { serveSite } from '../../site/scripts/serve-site.mjs';
import { createEngine, tokenize } from '../../site/src/lib/search-core.js';
import { report } from '../report.mjs';
import { obsidianRegistry, syntheticRegistry } from './registry-gen.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SITE = join(REPO, 'site');
const WORK = join(SITE, 'node_modules', '.wharf-builds');
const sizes = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['obsidian', '10000', '50000'];

function dirSize(dir) {
  let bytes = 0;
  let files = 0;
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const s = statSync(join(dir, f));
    if (s.isFile()) {
      bytes += s.size;
      files += 1;
    }
  }
  return { bytes, files };
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

// Keystrokes: every prefix of each query, as typed (English words, two-word queries, a typo, Chinese).
const QUERIES = [
  'markdown table',
  'calendar',
  'vowel',
  'git sync',
  'templater',
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
  'zotero',
];
const keystrokes = QUERIES.flatMap((q) => Array.from(q, (_, i) => q.slice(0, i + 1))).filter((q) => q.trim() !== '');

function timeQueries(run) {
  for (const q of keystrokes.slice(0, 20)) run(q); // warm-up
  const times = [];
  for (let round = 0; round < 3; round++) {
    for (const q of keystrokes) {
      const t = performance.now();
      run(q);
      times.push(performance.now() - t);
    }
  }
  times.sort((a, b) => a - b);
  return { p50: pct(times, 50), p95: pct(times, 95) };
}

// In Chromium: first keystroke → first results (index fetch + parse in the worker + query + render), then
// per-keystroke round trips (input event → worker → results rendered), over loopback.
async function browserTimes(out) {
  const server = await serveSite(out);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(new URL('search/', server.url).toString());
    return await page.evaluate(async (keys) => {
      const input = document.getElementById('q');
      const status = document.getElementById('search-status');
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
      const first = await type('calendar');
      const times = [];
      const engine = [];
      for (let round = 0; round < 2; round++) {
        for (const q of keys) {
          // 60 ms apart, a fast typist: each keystroke starts after the previous results were painted.
          await new Promise((ok) => setTimeout(ok, 60));
          times.push(await type(q));
          engine.push(Number(document.getElementById('results').dataset.queryMs));
        }
      }
      const at = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)];
      return {
        first,
        p50: at(times, 0.5),
        p95: at(times, 0.95),
        engineP50: at(engine, 0.5),
        engineP95: at(engine, 0.95),
      };
    }, keystrokes);
  } finally {
    await browser.close();
    await server.close();
  }
}

async function bench(size) {
  const reg = size === 'obsidian' ? obsidianRegistry() : syntheticRegistry(Number(size));
  const label = size === 'obsidian' ? `obsidian (${reg.plugins.length})` : `${reg.plugins.length}`;
  mkdirSync(WORK, { recursive: true });
  const regFile = join(WORK, `bench-${size}.json`);
  const out = join(WORK, `bench-${size}`);
  writeFileSync(regFile, JSON.stringify(reg));
  rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  await promisify(execFile)(process.execPath, [join(REPO, 'node_modules', 'astro', 'astro.js'), 'build', '--silent'], {
    cwd: SITE,
    env: { ...process.env, WHARF_REGISTRY: regFile, WHARF_SITE_OUT: out, ASTRO_TELEMETRY_DISABLED: '1' },
    maxBuffer: 256 << 20,
  });
  const buildS = (performance.now() - t0) / 1000;
  const total = dirSize(out);
  const indexRaw = readFileSync(join(out, 'search-index.json'), 'utf8');
  const indexGz = gzipSync(indexRaw).length;
  const registryGz = gzipSync(readFileSync(regFile)).length;

  const l0 = performance.now();
  const engine = createEngine(indexRaw);
  const loadMs = performance.now() - l0;
  const ours = timeQueries((q) => engine.query(q));
  // Baseline: the same documents and tokenizer with MiniSearch's usual options.
  const data = JSON.parse(indexRaw);
  const stock = MiniSearch.loadJS(data.index, {
    idField: 'i',
    fields: ['id', 'name', 'name_zh', 'text', 'text_zh', 'tags'],
    tokenize,
  });
  const base = timeQueries((q) => stock.search(q, { prefix: true, fuzzy: 0.2 }));
  const browser = await browserTimes(out);

  rmSync(out, { recursive: true, force: true });
  rmSync(`${out}-cache`, { recursive: true, force: true });
  rmSync(`${out}-vite`, { recursive: true, force: true });
  rmSync(regFile, { force: true });
  return {
    label,
    plugins: reg.plugins.length,
    buildS,
    outBytes: total.bytes,
    files: total.files,
    indexRaw: Buffer.byteLength(indexRaw),
    indexGz,
    registryGz,
    loadMs,
    ours,
    base,
    browser,
  };
}

const rows = [];
for (const size of sizes) {
  const r = await bench(size);
  rows.push(r);
  console.log(
    `${r.label.padEnd(16)} build ${r.buildS.toFixed(1)} s (${r.files} files, ${mb(r.outBytes)}) | ` +
      `index ${mb(r.indexRaw)} raw, ${mb(r.indexGz)} gzip (registry.json ${mb(r.registryGz)} gzip, ratio ${(r.indexGz / r.registryGz).toFixed(2)}) | ` +
      `load ${r.loadMs.toFixed(0)} ms | keystroke p50 ${r.ours.p50.toFixed(2)} ms p95 ${r.ours.p95.toFixed(2)} ms ` +
      `(stock MiniSearch p50 ${r.base.p50.toFixed(2)} p95 ${r.base.p95.toFixed(2)}; p95 ratio ${(r.ours.p95 / r.base.p95).toFixed(2)}) | ` +
      `Chromium: first results ${r.browser.first.toFixed(0)} ms, keystroke round trip p50 ${r.browser.p50.toFixed(1)} ms p95 ${r.browser.p95.toFixed(1)} ms ` +
      `(engine in the worker p50 ${r.browser.engineP50.toFixed(2)} p95 ${r.browser.engineP95.toFixed(2)})`,
  );
}
console.log(
  '\nBudgets (DESIGN §9): build 10k < 60 s, 50k < 300 s; index ≤ 1.2 MB gzip at 10k; keystroke p95 < 10 ms at 10k.',
);
report(
  'site',
  rows.flatMap((r) => {
    const budget = r.plugins >= 50_000 ? 300 : r.plugins >= 10_000 ? 60 : undefined;
    return [
      {
        what: `keystroke query p95, ${r.label}`,
        ms: r.ours.p95,
        floor: 'stock MiniSearch p95',
        floorMs: r.base.p95,
        ...(r.plugins >= 10_000 ? { budget: '< 10 ms', ok: r.ours.p95 < 10 } : {}),
      },
      {
        what: `site build, ${r.label}`,
        ms: r.buildS * 1000,
        ...(budget ? { budget: `< ${budget} s`, ok: r.buildS < budget } : {}),
      },
    ];
  }),
);
for (const r of rows) {
  const budget = r.plugins >= 50_000 ? 300 : r.plugins >= 10_000 ? 60 : undefined;
  console.log(
    `${r.label.padEnd(16)} build/budget ${budget ? (r.buildS / budget).toFixed(2) : '-'}  ` +
      `index gzip/1.2MB ${(r.indexGz / (1.2 * 1024 * 1024)).toFixed(2)}  p95/10ms ${(r.ours.p95 / 10).toFixed(2)}`,
  );
}
