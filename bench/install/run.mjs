// Install of a 10 MB signed artifact by the library, in process (download, sha256, minisign check, WASM
// admission, atomic placement, lockfile), against `curl` writing the same file to disk from the same server.
// Ratio target ≤ 1.3× (DESIGN §9). The whole `wharf install` command (Node start-up included) is timed
// separately. Run: npm run bench:install
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeUleb } from '../../client/dist/run/cap-memory.js';
import { report } from '../report.mjs';

process.emitWarning = () => {}; // @extism/extism's WASI ExperimentalWarning is noise here
const { signFile, WharfClient } = await import('@wharf/client');
const { buildDemoRegistry } = await import('@wharf/tools');
// The download step alone (stream to a temp file with sha256 + blake2b, fsync), to split the install time.
const { downloadArtifact, ARTIFACT_LIMITS } = await import('../../client/dist/install/download-artifact.js');
// Node's own floor: what curl does (socket → file), with no hashing, no fsync, no verification.
const { fetchChunks } = await import('../../client/dist/index/http-fetch.js');
const { ArtifactHasher } = await import('../../client/dist/install/hash-stream.js');
const { open } = await import('node:fs/promises');

const RUNS = Number(process.env.RUNS ?? 11);
const SIZE = 10 * 1024 * 1024;
const repo = resolve(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'wharf-bench-install-'));
const run = (cmd, args) =>
  new Promise((ok, fail) =>
    execFile(cmd, args, { encoding: 'utf8' }, (e, out, err) => (e ? fail(new Error(`${cmd}: ${err || e}`)) : ok(out))),
  );

/** tools' static server in a child process; resolves with its URL and a close(). */
function serveInChild(dir, artifacts) {
  const code = `const { startStaticServer } = await import('@wharf/tools');
    const s = await startStaticServer(${JSON.stringify(dir)}, { mounts: { '/artifacts/': ${JSON.stringify(artifacts)} } });
    process.stdout.write(s.url + '\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ok, fail) => {
    child.once('error', fail);
    child.stdout.once('data', (d) =>
      ok({ url: String(d).trim(), close: () => new Promise((done) => child.once('exit', done).kill()) }),
    );
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const leb = (n) => Buffer.from(encodeUleb(n));

try {
  // A real plugin (count-vowels) padded to 10 MB with a custom section, as debug info pads real builds (§10).
  const ex = join(root, 'examples');
  cpSync(join(repo, 'examples', 'count-vowels'), join(ex, 'big'), { recursive: true });
  const wasmPath = join(ex, 'big', 'plugin.wasm');
  const small = readFileSync(wasmPath);
  const name = Buffer.from('bench.padding');
  const padLen = SIZE - small.length - 1 - 5 - 1 - name.length;
  const payload = Buffer.concat([leb(name.length), name, Buffer.alloc(padLen, 0xab)]);
  writeFileSync(wasmPath, Buffer.concat([small, Buffer.from([0]), leb(payload.length), payload]));
  const manifest = JSON.parse(readFileSync(join(ex, 'big', 'plugin.json'), 'utf8'));
  signFile(wasmPath, {
    id: manifest.id,
    version: manifest.version,
    secretKeyPath: join(repo, 'examples', 'keys', 'example.key'),
  });
  const size = readFileSync(wasmPath).length;

  mkdirSync(join(root, 'registry'));
  // The server runs in its own process, so that it competes with neither curl nor the library for a thread.
  const server = await serveInChild(join(root, 'registry'), ex);
  const reg = await buildDemoRegistry({
    dir: join(root, 'registry'),
    examplesDir: ex,
    artifactBaseUrl: `${server.url}/artifacts`,
  });
  const url = `${server.url}/artifacts/big/plugin.wasm`;

  // A home with the source added and refreshed; each run installs into a fresh copy (nothing cached).
  const template = join(root, 'template');
  const t = new WharfClient({ home: template });
  await t.addSource({ alias: 'main', url: server.url, rootFile: join(reg.registryDir, 'metadata', '1.root.json') });
  await t.refresh();

  let n = 0;
  const freshHome = () => {
    const h = join(root, `home-${n++}`);
    cpSync(template, h, { recursive: true });
    return h;
  };
  const lib = async () => {
    const home = freshHome();
    const c = new WharfClient({ home });
    const t0 = performance.now();
    const r = await c.install(manifest.id);
    const ms = performance.now() - t0;
    if (r.fromCache || r.size !== size) throw new Error('the bench must download the artifact');
    rmSync(home, { recursive: true, force: true });
    return ms;
  };
  const artifact = JSON.parse(readFileSync(join(reg.registryDir, 'registry.json'), 'utf8')).plugins[0].releases[0]
    .artifact;
  const dl = async () => {
    const t0 = performance.now();
    const d = await downloadArtifact(artifact, root);
    const ms = performance.now() - t0;
    rmSync(d.path);
    return ms;
  };
  const floor = async () => {
    const out = join(root, `floor-${n++}.wasm`);
    const t0 = performance.now();
    const fh = await open(out, 'w');
    let pending = [];
    let bytes = 0;
    for await (const c of fetchChunks(url, ARTIFACT_LIMITS)) {
      pending.push(c);
      bytes += c.byteLength;
      if (bytes >= 1 << 20) {
        await fh.writev(pending);
        pending = [];
        bytes = 0;
      }
    }
    await fh.writev(pending);
    await fh.close();
    const ms = performance.now() - t0;
    rmSync(out);
    return ms;
  };
  const curl = async () => {
    const out = join(root, `curl-${n++}.wasm`);
    const s = await run('curl', ['-s', '-o', out, '-w', '%{time_total}', url]);
    rmSync(out, { force: true });
    return Number(s) * 1000;
  };
  const cli = async () => {
    const home = freshHome();
    const t0 = performance.now();
    await run(process.execPath, [join(repo, 'client', 'bin', 'wharf.js'), '--home', home, 'install', manifest.id]);
    const ms = performance.now() - t0;
    rmSync(home, { recursive: true, force: true });
    return ms;
  };

  for (let i = 0; i < 3; i++) {
    await lib();
    await curl();
  }
  // The verification hashes alone, in memory: CPU the install needs and curl doesn't (DESIGN §9 says "hashing is
  // free", which holds for SHA-NI sha256, not for the blake2b-512 that a prehashed minisign signature covers).
  const bytes = readFileSync(wasmPath);
  const hashes = async () => {
    const t0 = performance.now();
    const h = new ArtifactHasher();
    h.update(bytes);
    h.digest();
    return performance.now() - t0;
  };
  const times = { lib: [], curl: [], cli: [], dl: [], floor: [], hashes: [] };
  for (let i = 0; i < RUNS; i++) {
    times.lib.push(await lib());
    times.curl.push(await curl());
    times.dl.push(await dl());
    times.floor.push(await floor());
    times.hashes.push(await hashes());
  }
  for (let i = 0; i < Math.max(3, RUNS >> 1); i++) times.cli.push(await cli());
  const [l, c, w] = [median(times.lib), median(times.curl), median(times.cli)];
  console.log(`install of a ${(size / 1e6).toFixed(1)} MB signed artifact over 127.0.0.1, median of ${RUNS} runs`);
  console.log(
    `curl to disk (time_total)             ${c.toFixed(1).padStart(7)} ms   ${((size / c) * 1e-3).toFixed(0)} MB/s`,
  );
  console.log(
    `library install (in process)          ${l.toFixed(1).padStart(7)} ms   ratio ${(l / c).toFixed(2)}× curl (target ≤ 1.3×) → ${l / c <= 1.3 ? 'ok' : 'OVER'}`,
  );
  console.log(`  of which the download step (stream, hash, write, fsync) ${median(times.dl).toFixed(1)} ms`);
  const f = median(times.floor);
  console.log(
    `Node floor: socket → file, no hash/fsync  ${f.toFixed(1).padStart(7)} ms   ${((size / f) * 1e-3).toFixed(0)} MB/s, ${(f / c).toFixed(2)}× curl`,
  );
  console.log(`sha256 + blake2b-512 of the bytes in memory ${median(times.hashes).toFixed(1)} ms`);
  console.log(`\`wharf install\` command (node start-up included) ${w.toFixed(0)} ms (target < 1000 ms)`);
  report('install', [
    { what: 'library install, 10 MB', ms: l, floor: 'curl to disk', floorMs: c, budget: '≤ 1.3×', ok: l / c <= 1.3 },
    { what: 'library install, 10 MB', ms: l, floor: 'Node socket → file', floorMs: f },
    {
      what: '`wharf install` command, 10 MB',
      ms: w,
      floor: 'curl to disk',
      floorMs: c,
      budget: '< 1000 ms',
      ok: w < 1000,
    },
  ]);
  await server.close();
} finally {
  rmSync(root, { recursive: true, force: true });
}
