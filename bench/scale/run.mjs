// npm run bench:scale -- <N>   (default 100000)
// Makes a published registry of N synthetic plugins (make-registry.mjs), serves it from 127.0.0.1 through a
// server that counts the bytes it sends, and measures against DESIGN §9 "Scale": the time to make it, its file
// count and largest file, the bytes a fresh home transfers to install one plugin (index included), the bytes of a
// refresh after one publish, and the time to add and re-sign one plugin (search index update included). Search
// (issue 11 item 4): the search index's shape; the real `wharf search` CLI from a fresh home (bytes and time,
// median of several runs); a warm `wharf search` and a no-change `wharf refresh` against `node -e 0` in the same
// run, timed as bench/cli times commands (bench/whole-process.mjs: hyperfine in rounds), beside the least a verifying
// client does for that refresh (refresh-floor.cjs), with its signature check and without (a recorded check).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { scrubbedNote, scrubNodeStartEnv } from '../node-start-env.mjs';
import { serveInChild } from '../serve-in-child.mjs';
import { timeCommands } from '../whole-process.mjs';
import { makeRegistry } from './make-registry.mjs';

const scrubbed = scrubNodeStartEnv();

process.emitWarning = () => {};
const { WharfClient } = await import('@wharf/client');
const tools = await import('@wharf/tools');

const N = Number(process.argv[2] ?? process.env.N ?? 100_000);
const repo = resolve(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'wharf-bench-scale-'));
const BUDGET = {
  file: 50 * 1024 * 1024,
  install: 300 * 1024,
  refresh: 100 * 1024,
  publishMs: 2000,
  searchBytes: 1024 * 1024,
  searchMs: 1000,
  warmRatio: 1.5,
};
// The package's "bin" (what `wharf` and `npx wharf` run): bin/wharf.js goes through Node's ES module loader first.
const WHARF = join(repo, 'client', JSON.parse(readFileSync(join(repo, 'client', 'package.json'), 'utf8')).bin.wharf);
const RUNS = Number(process.env.RUNS ?? 7);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall time of one child process, in ms (spawned async: the counting server runs in this process). */

function timed(args, env) {
  return new Promise((ok, fail) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) fail(new Error(`${args.join(' ')} exited ${code}: ${stderr}${stdout}`));
      else ok({ ms, stdout });
    });
  });
}

/** A static server for the registry and /artifacts/ that counts the body bytes it sends. */
async function countingServer(dir, artifacts) {
  let bytes = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const [base, rel] = path.startsWith('/artifacts/') ? [artifacts, path.slice(11)] : [dir, path.slice(1)];
    const file = normalize(join(base, rel));
    requests += 1;
    let st;
    try {
      st = file.startsWith(base + sep) ? statSync(file) : undefined;
    } catch {}
    if (!st?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Length': st.size, 'Content-Type': 'application/json' });
    bytes += st.size;
    createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    take: () => {
      const r = { bytes, requests };
      bytes = 0;
      requests = 0;
      return r;
    },
    close: () => new Promise((ok) => server.close(ok)),
  };
}

function walk(dir) {
  let files = 0;
  let largest = { path: '', size: 0 };
  const go = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) go(p);
      else {
        files += 1;
        const size = statSync(p).size;
        if (size > largest.size) largest = { path: p.slice(dir.length + 1), size };
      }
    }
  };
  go(dir);
  return { files, largest };
}

/** A new plugin release signed with a fresh minisign key, as an author's kit would make it. */
function signedRelease(dir, id) {
  execFileSync('minisign', ['-G', '-W', '-p', join(dir, 'a.pub'), '-s', join(dir, 'a.key')], { stdio: 'pipe' });
  const publicKey = execFileSync('tail', ['-1', join(dir, 'a.pub')])
    .toString()
    .trim();
  const wasm = Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]);
  const sha = createHash('sha256').update(wasm).digest('hex');
  const manifest = {
    id,
    name: 'Bench Publish',
    version: '1.0.0',
    description: 'A plugin published by the scale bench.',
    author: { name: 'Bench' },
    license: 'MIT',
    category: 'utility',
    tags: [],
    wasm: 'plugin.wasm',
    exports: [{ name: 'run', description: 'Runs' }],
    permissions: {},
    compatibility: { host: '>=0.1.0', extism_abi: '1' },
    signing_key: publicKey,
  };
  writeFileSync(join(dir, 'plugin.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'plugin.wasm'), wasm);
  const tc = `wharf1 id=${id} version=1.0.0 sha256=${sha}`;
  execFileSync('minisign', ['-S', '-s', join(dir, 'a.key'), '-m', join(dir, 'plugin.wasm'), '-t', tc], {
    stdio: 'pipe',
  });
  return {
    manifestPath: join(dir, 'plugin.json'),
    wasmPath: join(dir, 'plugin.wasm'),
    sigPath: join(dir, 'plugin.wasm.minisig'),
  };
}

const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const verdict = (ok) => (ok ? 'ok' : 'OVER BUDGET');
const rows = [];
const row = (what, value, budget, ok) => rows.push([what, value, budget ?? '', ok === undefined ? '' : verdict(ok)]);

try {
  const regDir = join(root, 'registry');
  const server = await countingServer(regDir, join(repo, 'examples'));
  const made = await makeRegistry(regDir, N, { artifactBase: `${server.url}/artifacts` });
  row('make registry', `${(made.ms / 1000).toFixed(1)} s`, '', undefined);
  row('layout', made.sharded ? `sharded, ${2 ** made.publish.bitLength} bins` : 'one registry.json');
  const w = walk(regDir);
  row('files', String(w.files));
  row('largest file', `${mb(w.largest.size)} (${w.largest.path})`, '≤ 50 MB', w.largest.size <= BUDGET.file);
  const searchDir = join(regDir, 'search');
  const word = 'calendar';
  if (made.sharded) {
    const s = walk(searchDir);
    const manifest = readFileSync(join(searchDir, 'manifest.json'));
    const chunkSizes = (sub) => readdirSync(join(searchDir, sub)).map((f) => statSync(join(searchDir, sub, f)).size);
    const t = chunkSizes('t');
    const d = chunkSizes('d');
    row('search index files', `${s.files} (${t.length} term, ${d.length} doc chunks)`);
    row('search index largest file', `${kb(s.largest.size)} (${s.largest.path})`);
    row('search manifest', `${kb(manifest.length)} (${kb(gzipSync(manifest).length)} gzip)`);
    row(
      'search chunk means',
      `term ${kb(t.reduce((a, b) => a + b, 0) / t.length)}, doc ${kb(d.reduce((a, b) => a + b, 0) / d.length)}`,
    );
  }

  const home = join(root, 'home');
  const client = new WharfClient({ home });
  server.take();
  await client.addSource({ alias: 'main', url: server.url, rootFile: join(regDir, 'metadata', '1.root.json') });
  await client.install('greet');
  const install = server.take();
  row(
    'fresh home: install one plugin',
    `${kb(install.bytes)} in ${install.requests} requests`,
    '≤ 300 KB',
    install.bytes <= BUDGET.install,
  );

  if (made.sharded) {
    // `wharf search` from a fresh home: each run a new home with the source added (not timed), then the real CLI.
    const fresh = [];
    let bytes = 0;
    let requests = 0;
    let found = '';
    for (let i = 0; i < RUNS; i++) {
      const h = join(root, `search-home-${i}`);
      await new WharfClient({ home: h }).addSource({
        alias: 'main',
        url: server.url,
        rootFile: join(regDir, 'metadata', '1.root.json'),
      });
      server.take();
      const r = await timed([WHARF, 'search', word, '--json'], { WHARF_HOME: h });
      const t = server.take();
      fresh.push(r.ms);
      bytes = t.bytes;
      requests = t.requests;
      found = JSON.parse(r.stdout)[0]?.plugin_id ?? '(none)';
    }
    row(
      `CLI search "${word}" from a fresh home (first hit ${found})`,
      `${kb(bytes)} in ${requests} requests`,
      '≤ 1 MB',
      bytes <= BUDGET.searchBytes,
    );
    row('  its time (median)', `${Math.round(median(fresh))} ms`, '≤ 1000 ms', median(fresh) <= BUDGET.searchMs);
    // Warm: a home that searched once (cache current, nothing fetched) searched again, and refreshed with nothing new.
    // Its registry is served from a child process, as a mirror is: the in-process counting server shares the thread
    // (and the major GCs) of this bench, which holds the whole made registry, and that showed as the CLI's time.
    const mirror = await serveInChild(regDir);
    const wh = join(root, 'warm-home');
    await new WharfClient({ home: wh }).addSource({
      alias: 'main',
      url: mirror.url,
      rootFile: join(regDir, 'metadata', '1.root.json'),
    });
    const warmHome = { WHARF_HOME: wh };
    await timed([WHARF, 'search', word], warmHome);
    // Whole processes as bench/cli times them (hyperfine in rounds, else our interleaved harness), and more runs
    // than the rest: these are ratios of ~100 ms processes. Not from this process, which holds the made registry.
    const node = process.execPath;
    const floorArgv = (...flags) => [
      node,
      join(import.meta.dirname, 'refresh-floor.cjs'),
      mirror.url,
      join(wh, 'trust', 'main', 'metadata'),
      ...flags,
    ];
    const { tool, results } = timeCommands(
      [
        { name: 'node -e 0', argv: [node, '-e', '0'] },
        { name: 'search', argv: [node, WHARF, 'search', word] },
        { name: 'refresh', argv: [node, WHARF, 'refresh'] },
        // The least a verifying client does for a no-change refresh (refresh-floor.cjs), to split the refresh's
        // ratio into what any such Node client pays and what wharf adds.
        { name: 'verifying-client floor', argv: floorArgv() },
        // The same with no signature to check, as wharf's refresh runs while the record of its last check holds.
        { name: 'recorded-check floor', argv: floorArgv('--no-signature') },
      ],
      { runs: Math.max(RUNS, 30), rounds: 5, warmup: 3, env: warmHome },
    );
    await mirror.close();
    const [b, warm, refresh, floor, recorded] = results.map((r) => r.ms);
    row(`node -e 0 (median, ${tool ? 'hyperfine' : 'built-in harness'})`, `${Math.round(b)} ms`);
    row(
      'warm CLI search',
      `${Math.round(warm)} ms = ${(warm / b).toFixed(2)}×`,
      '≤ 1.5×',
      warm / b <= BUDGET.warmRatio,
    );
    row(
      'no-change CLI refresh',
      `${Math.round(refresh)} ms = ${(refresh / b).toFixed(2)}×`,
      '≤ 1.5×',
      refresh / b <= BUDGET.warmRatio,
    );
    row(
      '  the floor: http + crypto, next root, timestamp, one signature',
      `${Math.round(floor)} ms = ${(floor / b).toFixed(2)}×; refresh ${(refresh / floor).toFixed(2)}× it`,
    );
    row(
      '  the same with no signature (a recorded check, as wharf while it holds)',
      `${Math.round(recorded)} ms = ${(recorded / b).toFixed(2)}×; refresh ${(refresh / recorded).toFixed(2)}× it`,
    );
  }

  const author = join(root, 'author');
  execFileSync('mkdir', ['-p', author]);
  const rel = signedRelease(author, 'bench-publish');
  const t0 = performance.now();
  const added = await tools.addReleaseFromFiles(regDir, { ...rel, urls: [`${server.url}/artifacts/none.wasm`] });
  const publishMs = performance.now() - t0;
  if (!made.sharded) await tools.publishRegistry(regDir);
  const publishTotal = performance.now() - t0;
  const searchMs = added.published?.searchMs;
  row(
    `add + re-sign one plugin${searchMs !== undefined ? ` (search index ${searchMs} ms of it)` : ''}`,
    `${Math.round(publishTotal)} ms`,
    '≤ 2000 ms',
    publishTotal <= BUDGET.publishMs,
  );
  void publishMs;

  server.take();
  const r1 = await client.refresh();
  if (r1.failed.length) throw new Error(JSON.stringify(r1.failed));
  const refresh = server.take();
  if (made.sharded) {
    const hits = await client.search('bench publish');
    row(
      'search after that publish finds it',
      hits[0]?.plugin_id === 'bench-publish' ? 'yes' : 'no',
      'yes',
      hits[0]?.plugin_id === 'bench-publish',
    );
  }
  row(
    'refresh after one publish (other bin)',
    `${kb(refresh.bytes)} in ${refresh.requests} requests`,
    '≤ 100 KB',
    refresh.bytes <= BUDGET.refresh,
  );

  if (made.sharded) {
    // Worst case: the publish touches the bin of the plugin this home has installed.
    const greet = await tools.readPluginFile(regDir, 'greet');
    await tools.writePluginFile(regDir, { ...greet, stats: { ...greet.stats, downloads: greet.stats.downloads + 1 } });
    await tools.publishShardedPlugins(regDir, ['greet']);
    server.take();
    const r2 = await client.refresh();
    if (r2.failed.length) throw new Error(JSON.stringify(r2.failed));
    const worst = server.take();
    row(
      'refresh after one publish (installed plugin)',
      `${kb(worst.bytes)} in ${worst.requests} requests`,
      '≤ 100 KB',
      worst.bytes <= BUDGET.refresh,
    );
  }
  await server.close();

  const width = rows.reduce((m, r) => Math.max(m, r[0].length), 0);
  console.log(
    `Scale bench, ${N} plugins (DESIGN §9 Scale)${scrubbedNote(scrubbed) ? `; ${scrubbedNote(scrubbed)}` : ''}`,
  );
  for (const [a, b, c, d] of rows) console.log(`  ${a.padEnd(width)}  ${b.padEnd(40)} ${c.padEnd(10)} ${d}`);
  if (rows.some((r) => r[3] === 'OVER BUDGET')) process.exitCode = 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}

// The site half of issue 11's search budgets, at the same N, beside Pagefind in the same run (bench/site, which
// above 20k writes the site's own index into a small built site rather than building N pages). WHARF_BENCH_SCALE_SITE=0
// skips it.
if (process.env.WHARF_BENCH_SCALE_SITE !== '0') {
  console.log(`\nSite search at ${N} plugins, ours beside Pagefind (bench/site/run.mjs ${N}):`);
  const site = spawnSync(process.execPath, [join(repo, 'bench', 'site', 'run.mjs'), String(N)], { stdio: 'inherit' });
  if (site.status !== 0) process.exitCode = 1;
}
