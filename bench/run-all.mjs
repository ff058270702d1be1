// `npm run bench`: every bench in turn (each prints its own lines as it goes), then one table of every figure beside
// the floor it was measured against in the same run, and the machine it ran on. The table also replaces the last
// one in bench/README.md (BENCH_README=0 to leave it). BENCH_ONLY=cli,mcp runs a subset; BENCH_SITE_ARGS sets the
// site bench's registry sizes (default "10000"; the 50k build alone takes minutes).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { scrubbedNote } from './node-start-env.mjs';

const repo = resolve(import.meta.dirname, '..');
const BENCHES = [
  ['cli', []],
  ['install', []],
  ['refresh-failover', []],
  ['mcp', []],
  ['host', []],
  ['review', []],
  ['site', (process.env.BENCH_SITE_ARGS ?? '10000').split(/\s+/).filter(Boolean)],
];
const only = process.env.BENCH_ONLY?.split(',');

if (!existsSync(join(repo, 'client/dist/index.js')) || !existsSync(join(repo, 'tools/dist/index.js'))) {
  console.error('bench: nothing is built; run `npm run build` first (npm run bench does, via prebench)');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'wharf-bench-all-'));
const reportFile = join(work, 'rows.jsonl');
const load0 = loadavg()[0];
const started = new Date();
const failed = [];
for (const [name, args] of BENCHES) {
  if (only && !only.includes(name)) continue;
  console.log(`\n── bench/${name} ${'─'.repeat(Math.max(0, 60 - name.length))}`);
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(repo, 'bench', name, 'run.mjs'), ...args], {
    cwd: repo,
    stdio: 'inherit',
    env: { ...process.env, WHARF_BENCH_REPORT: reportFile },
  });
  console.log(
    `(bench/${name}: ${((performance.now() - t) / 1000).toFixed(0)} s${r.status === 0 ? '' : `, FAILED: exit ${r.status ?? r.signal}`})`,
  );
  if (r.status !== 0) failed.push(name);
}

const rows = existsSync(reportFile)
  ? readFileSync(reportFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];
rmSync(work, { recursive: true, force: true });

const fmt = (ms) =>
  ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : ms < 10_000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(1)} s`;
const table = [
  ['bench', 'figure', 'median', 'floor (same run)', 'floor', 'ratio', 'budget'],
  ...rows.map((r) => [
    r.bench,
    r.what,
    fmt(r.ms),
    r.floor ?? '—',
    r.floorMs === undefined ? '—' : fmt(r.floorMs),
    r.floorMs ? `${(r.ms / r.floorMs).toFixed(2)}×` : '—',
    r.budget ? `${r.budget} ${r.ok ? 'ok' : 'OVER'}` : '',
  ]),
];
const cpu = cpus();
const machine =
  `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB ` +
  `(${(freemem() / 2 ** 30).toFixed(0)} free), Node ${process.version}, ${process.platform}; ` +
  `load average ${load0.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end; ${started.toISOString()}` +
  (scrubbedNote() ? `; ${scrubbedNote()}` : '');

const widths = table[0].map((_, i) => Math.max(3, ...table.map((row) => row[i].length)));
// Padded as biome formats Markdown tables, so the README stays lint-clean after each run.
const mdRow = (row) => `| ${row.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
const markdown = [mdRow(table[0]), mdRow(widths.map((w) => '-'.repeat(w))), ...table.slice(1).map(mdRow)].join('\n');
console.log(`\n── all figures ${'─'.repeat(50)}`);
for (const row of table)
  console.log(
    row
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
console.log(`\nmachine: ${machine}`);
if (failed.length) console.log(`FAILED: ${failed.map((n) => `bench/${n}`).join(', ')}`);

if (process.env.BENCH_README !== '0' && !only) {
  const readme = join(repo, 'bench', 'README.md');
  const begin = '<!-- last-run:begin -->';
  const end = '<!-- last-run:end -->';
  const text = readFileSync(readme, 'utf8');
  const block = `${begin}\n${markdown}\n\nMachine: ${machine}\n${end}`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  writeFileSync(
    readme,
    i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text}\n${block}\n`,
  );
  console.log('table written to bench/README.md');
}
process.exitCode = failed.length ? 1 : 0;
