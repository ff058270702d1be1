// What the host-app layer costs per call: p.call through createHost (lockfile stat per call for hot reload,
// health bookkeeping) against a bare openSandbox().call on the same bytes, interleaved in rounds so both see
// the same machine load. Also times host.update() (refresh, install, and instantiating the new version for the
// loaded plugin) and the first call after it, against a steady call.
// Run: node bench/host/run.mjs   (CALLS=… ROUNDS=… to change the sample)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

process.emitWarning = () => {}; // @extism/extism's WASI ExperimentalWarning is noise here
const { createHost, openSandbox, signFile } = await import('@wharf/client');
const { addReleaseFromFiles, publishRegistry, serveDemoRegistry } = await import('@wharf/tools');
const { report } = await import('../report.mjs');

const CALLS = Number(process.env.CALLS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const repo = resolve(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'wharf-bench-host-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

try {
  const { reg, server } = await serveDemoRegistry({
    examplesDir: join(repo, 'examples'),
    root,
    only: ['count-vowels'],
  });
  const host = await createHost({
    home: join(root, 'home'),
    sources: [{ alias: 'local', url: server.url, rootSha256: reg.rootSha256 }],
  });
  await host.install('count-vowels');
  const hosted = await host.load('count-vowels');
  const manifest = JSON.parse(readFileSync(join(repo, 'examples/count-vowels/plugin.json'), 'utf8'));
  const bare = await openSandbox({
    id: 'count-vowels',
    wasm: new Uint8Array(readFileSync(join(repo, 'examples/count-vowels/plugin.wasm'))),
    permissions: manifest.permissions,
    exports: manifest.exports,
  });
  const input = 'The quick brown fox jumps over the lazy dog';
  const time = async (call) => {
    const t = performance.now();
    for (let i = 0; i < CALLS; i++) await call();
    return (performance.now() - t) / CALLS;
  };
  // Warm both.
  await time(() => hosted.call('count_vowels', input));
  await time(() => bare.call('count_vowels', input));
  const h = [];
  const b = [];
  // Alternate which goes first, so neither always runs right after the other's garbage.
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2) {
      b.push(await time(() => bare.call('count_vowels', input)));
      h.push(await time(() => hosted.call('count_vowels', input)));
    } else {
      h.push(await time(() => hosted.call('count_vowels', input)));
      b.push(await time(() => bare.call('count_vowels', input)));
    }
  }
  const hm = median(h);
  const bm = median(b);
  console.log(`calls per sample ${CALLS}, rounds ${ROUNDS}`);
  console.log(`openSandbox().call     median ${(bm * 1000).toFixed(1)} µs/call`);
  console.log(`host p.call            median ${(hm * 1000).toFixed(1)} µs/call`);
  console.log(`ratio host/bare        ${(hm / bm).toFixed(3)}x`);
  // Hot-reload switch: publish 0.1.k (same code plus a custom section, so new bytes), update, time the next call.
  const base = readFileSync(join(repo, 'examples/count-vowels/plugin.wasm'));
  const switches = [];
  const updates = [];
  for (let k = 1; k <= 5; k++) {
    const dir = join(root, 'artifacts', `cv-${k}`);
    mkdirSync(dir);
    const name = Buffer.from('bench');
    const wasm = Buffer.concat([base, Buffer.from([0, name.length + 2, name.length]), name, Buffer.from([k])]);
    writeFileSync(join(dir, 'plugin.wasm'), wasm);
    writeFileSync(join(dir, 'plugin.json'), JSON.stringify({ ...manifest, version: `0.1.${k}` }));
    signFile(join(dir, 'plugin.wasm'), {
      id: 'count-vowels',
      version: `0.1.${k}`,
      secretKeyPath: join(repo, 'examples/keys/example.key'),
    });
    await addReleaseFromFiles(reg.registryDir, {
      manifestPath: join(dir, 'plugin.json'),
      wasmPath: join(dir, 'plugin.wasm'),
      sigPath: join(dir, 'plugin.wasm.minisig'),
      urls: [`${server.url}/artifacts/cv-${k}/plugin.wasm`],
    });
    await publishRegistry(reg.registryDir, { keysDir: reg.keysDir });
    const u = performance.now();
    await host.update('count-vowels');
    updates.push(performance.now() - u);
    const t = performance.now();
    await hosted.call('count_vowels', input);
    switches.push(performance.now() - t);
  }
  if (hosted.version !== '0.1.5') throw new Error(`expected 0.1.5 after the updates, got ${hosted.version}`);
  const sw = median(switches);
  console.log(`host.update() median ${median(updates).toFixed(1)} ms (refresh + install + new instance)`);
  console.log(
    `first call after update median ${(sw * 1000).toFixed(1)} µs; ratio to a steady call ${(sw / hm).toFixed(2)}x`,
  );
  report('host', [
    { what: 'host p.call', ms: hm, floor: 'openSandbox().call', floorMs: bm },
    { what: 'first call after host.update()', ms: sw, floor: 'host p.call, steady', floorMs: hm },
  ]);
  const health = host.health()[0];
  console.log(
    `health after ${health.calls} calls: p50 ${health.p50_ms} ms, p95 ${health.p95_ms} ms, errors ${health.errors}`,
  );
  await bare.close();
  await host.close();
  await server.close();
} finally {
  rmSync(root, { recursive: true, force: true });
}
