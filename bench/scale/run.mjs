// npm run bench:scale -- <N>   (default 100000)
// Makes a published registry of N synthetic plugins (make-registry.mjs), serves it from 127.0.0.1 through a
// server that counts the bytes it sends, and measures against DESIGN §9 "Scale": the time to make it, its file
// count and largest file, the bytes a fresh home transfers to install one plugin (index included), the bytes of a
// refresh after one publish, and the time to add and re-sign one plugin.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize, resolve, sep } from 'node:path';
import { makeRegistry } from './make-registry.mjs';

process.emitWarning = () => {};
const { WharfClient } = await import('@wharf/client');
const tools = await import('@wharf/tools');

const N = Number(process.argv[2] ?? process.env.N ?? 100_000);
const repo = resolve(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'wharf-bench-scale-'));
const BUDGET = { file: 50 * 1024 * 1024, install: 300 * 1024, refresh: 100 * 1024, publishMs: 2000 };

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

  const author = join(root, 'author');
  execFileSync('mkdir', ['-p', author]);
  const rel = signedRelease(author, 'bench-publish');
  const t0 = performance.now();
  await tools.addReleaseFromFiles(regDir, { ...rel, urls: [`${server.url}/artifacts/none.wasm`] });
  const publishMs = performance.now() - t0;
  if (!made.sharded) await tools.publishRegistry(regDir);
  const publishTotal = performance.now() - t0;
  row('add + re-sign one plugin', `${Math.round(publishTotal)} ms`, '≤ 2000 ms', publishTotal <= BUDGET.publishMs);
  void publishMs;

  server.take();
  const r1 = await client.refresh();
  if (r1.failed.length) throw new Error(JSON.stringify(r1.failed));
  const refresh = server.take();
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
  console.log(`Scale bench, ${N} plugins (DESIGN §9 Scale)`);
  for (const [a, b, c, d] of rows) console.log(`  ${a.padEnd(width)}  ${b.padEnd(40)} ${c.padEnd(10)} ${d}`);
  if (rows.some((r) => r[3] === 'OVER BUDGET')) process.exitCode = 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
