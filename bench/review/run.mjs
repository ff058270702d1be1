// Review of a 5 MB plugin, network excluded (DESIGN §9: full review < 5 s, static scan < 1 s). The module is
// assembled here byte by byte like a real Rust/Go build: 20,000 functions, 1 MiB of data, ~3.8 MiB of .debug_info,
// memory with no maximum. Baseline in the same run: V8 compiling the module and listing imports/exports (the floor
// any scan pays). Run: npm run bench:review   (after `npx tsc -b`)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeUleb } from '../../client/dist/run/cap-memory.js';
import { report } from '../report.mjs';

process.emitWarning = () => {};
const { scanWasm, blake2b512, formatTrustedComment, parseSecretKey, signPrehashed } = await import('@wharf/client');
const repo = resolve(import.meta.dirname, '..', '..');
const { reviewRelease } = await import(join(repo, 'tools/dist/review/review-release.js'));
const { runReview } = await import(join(repo, 'tools/dist/review/run-review.js'));

const RUNS = Number(process.env.RUNS ?? 9);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const section = (id, body) => Buffer.concat([Buffer.from([id, ...encodeUleb(body.length)]), body]);
const name = (s) => Buffer.concat([Buffer.from(encodeUleb(Buffer.byteLength(s))), Buffer.from(s)]);

function buildModule() {
  const FUNCS = 20_000;
  // type 0: () -> i32 (the Extism export), type 1: () -> i64 (input_length).
  const types = section(1, Buffer.from([2, 0x60, 0, 1, 0x7f, 0x60, 0, 1, 0x7e]));
  const imports = section(
    2,
    Buffer.concat([Buffer.from([1]), name('extism:host/env'), name('input_length'), Buffer.from([0x00, 1])]),
  );
  const funcs = section(3, Buffer.concat([Buffer.from(encodeUleb(FUNCS)), Buffer.alloc(FUNCS, 0)]));
  const memory = section(5, Buffer.from([1, 0x00, 17])); // 17 pages, no maximum
  const exportsSec = section(
    7,
    Buffer.concat([Buffer.from([2]), name('run'), Buffer.from([0x00, 1]), name('memory'), Buffer.from([0x02, 0])]),
  );
  const body = Buffer.from([4, 0, 0x41, 0, 0x0b]); // size 4: no locals, i32.const 0, end
  const code = section(
    10,
    Buffer.concat([Buffer.from(encodeUleb(FUNCS)), ...Array.from({ length: FUNCS }, () => body)]),
  );
  const DATA = 1024 * 1024;
  const data = section(
    11,
    Buffer.concat([
      Buffer.from([1, 0x00, 0x41, 0x80, 0x08, 0x0b]),
      Buffer.from(encodeUleb(DATA)),
      Buffer.alloc(DATA, 7),
    ]),
  );
  const head = Buffer.concat([
    Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    types,
    imports,
    funcs,
    memory,
    exportsSec,
    code,
    data,
  ]);
  const debugSize = 5 * 1024 * 1024 - head.length - 32;
  const debug = section(0, Buffer.concat([name('.debug_info'), Buffer.alloc(debugSize, 0x5a)]));
  return new Uint8Array(Buffer.concat([head, debug]));
}

const wasm = buildModule();
const manifest = JSON.parse(readFileSync(join(repo, 'examples/count-vowels/plugin.json'), 'utf8'));
manifest.id = 'bench-plugin';
manifest.exports = [{ name: 'run', description: 'bench' }];
const key = parseSecretKey(readFileSync(join(repo, 'examples/keys/example.key'), 'utf8'));
const { createHash } = await import('node:crypto');
const sha256 = createHash('sha256').update(wasm).digest('hex');
const minisig = signPrehashed(
  blake2b512(wasm),
  key,
  formatTrustedComment({ id: manifest.id, version: manifest.version, sha256 }),
);
const dir = mkdtempSync(join(tmpdir(), 'wharf-bench-review-'));
writeFileSync(join(dir, 'plugin.wasm'), wasm);
writeFileSync(join(dir, 'plugin.wasm.minisig'), minisig);
writeFileSync(join(dir, 'plugin.json'), JSON.stringify(manifest));
const enc = (s) => new TextEncoder().encode(s);

const time = async (fn) => {
  const xs = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn(i);
    xs.push(performance.now() - t0);
  }
  return median(xs);
};

try {
  const check = scanWasm(wasm, manifest);
  if (!check.ok)
    throw new Error(`bench module fails the scan: ${JSON.stringify(check.checks.filter((c) => c.status === 'fail'))}`);
  // V8 caches compiled modules by their bytes, so every timed run gets a copy differing in one .debug_info byte.
  const fresh = (i) => {
    const v = wasm.slice();
    v[v.length - 1] = (i * 7 + 1) & 0xff;
    return v;
  };
  const compile = await time((i) => {
    const m = new WebAssembly.Module(fresh(i + 100));
    WebAssembly.Module.imports(m);
    WebAssembly.Module.exports(m);
  });
  const scan = await time((i) => scanWasm(fresh(i + 200), manifest));
  const staticReview = await time(() =>
    reviewRelease({
      wasm,
      minisig: enc(minisig),
      manifest: enc(JSON.stringify(manifest)),
      smoke: { wasm_sha256: sha256, results: [] },
    }),
  );
  const full = await time(() =>
    runReview({
      source: {
        kind: 'files',
        manifestPath: join(dir, 'plugin.json'),
        wasmPath: join(dir, 'plugin.wasm'),
        sigPath: join(dir, 'plugin.wasm.minisig'),
      },
    }),
  );
  const cli = await time(() => {
    const r = spawnSync(process.execPath, [
      join(repo, 'tools/bin/wharf-admin.js'),
      'review',
      '--manifest',
      join(dir, 'plugin.json'),
      '--wasm',
      join(dir, 'plugin.wasm'),
      '--sig',
      join(dir, 'plugin.wasm.minisig'),
      '--registry',
      dir,
    ]);
    if (r.status !== 0) throw new Error(`wharf-admin review failed: ${r.stdout}${r.stderr}`);
  });
  const r = (x) => (x / compile).toFixed(1);
  console.log(
    `module: ${(wasm.length / 1048576).toFixed(2)} MiB, ${check.functions.defined} functions, ${(check.debugBytes / 1048576).toFixed(2)} MiB .debug_info, runs=${RUNS} (medians)`,
  );
  console.log(`baseline V8 compile+imports/exports   ${compile.toFixed(1)} ms`);
  console.log(`scanWasm (static scan)                ${scan.toFixed(1)} ms  (${r(scan)}x baseline; budget 1000 ms)`);
  console.log(`reviewRelease (all checks, no smoke)  ${staticReview.toFixed(1)} ms  (${r(staticReview)}x baseline)`);
  console.log(`full offline review (smoke in child)  ${full.toFixed(1)} ms  (${r(full)}x baseline; budget 5000 ms)`);
  console.log(`wharf-admin review CLI (Node start)   ${cli.toFixed(1)} ms`);
  const floor = { floor: 'V8 compile + imports/exports', floorMs: compile };
  report('review', [
    { what: 'scanWasm, 5 MB module', ms: scan, ...floor, budget: '< 1000 ms', ok: scan < 1000 },
    { what: 'reviewRelease, no smoke', ms: staticReview, ...floor },
    { what: 'full offline review', ms: full, ...floor, budget: '< 5000 ms', ok: full < 5000 },
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
