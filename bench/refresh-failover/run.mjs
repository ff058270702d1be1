// Time to a verified index (a cold `refresh`: every TUF file and the signed registry.json, checked by tuf-js)
// with the primary healthy, refusing, hanging and sending 1 byte/s; the mirror is healthy every time.
// Ratios are against the healthy case measured in the same run (DESIGN §9). Run: npm run bench:refresh
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { report } from '../report.mjs';

// @extism/extism loads node:wasi, whose ExperimentalWarning would land in the middle of the table.
process.emitWarning = () => {};
const { WharfClient } = await import('@wharf/client');
const { buildDemoRegistry, startStaticServer } = await import('@wharf/tools');

const RUNS = Number(process.env.RUNS ?? 15);
const HEDGE_MS = Number(process.env.HEDGE_MS ?? 200);
const repo = resolve(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'wharf-bench-refresh-'));

/** Servers that misbehave the way dead mirrors do; each returns its base URL and a close function. */
async function listen(handler) {
  const server = createServer(handler);
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((ok) => server.close(ok));
    },
  };
}
const hanging = () => listen(() => {});
const trickle = () =>
  listen((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 4096 });
    const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('{')), 1000);
    res.write('{');
  });
async function refusing() {
  const s = await listen(() => {});
  await s.close(); // nothing listens on this port any more
  return { url: s.url, close: async () => {} };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

try {
  const examples = join(root, 'artifacts');
  cpSync(join(repo, 'examples'), examples, { recursive: true, filter: (s) => !s.includes('node_modules') });
  mkdirSync(join(root, 'registry'));
  const mirror = await startStaticServer(join(root, 'registry'), { mounts: { '/artifacts/': examples } });
  const reg = await buildDemoRegistry({
    dir: join(root, 'registry'),
    examplesDir: examples,
    artifactBaseUrl: `${mirror.url}/artifacts`,
  });
  const healthy = await startStaticServer(reg.registryDir);
  const primaries = {
    healthy: { url: healthy.url, close: async () => {} },
    refusing: await refusing(),
    hanging: await hanging(),
    '1 byte/s': await trickle(),
  };

  let n = 0;
  /** One cold refresh: a fresh home trusting only the root, sources [primary, mirror]. */
  async function once(primaryUrl) {
    const home = join(root, `home-${n++}`);
    const c = new WharfClient({ home, hedgeDelayMs: HEDGE_MS });
    await c.addSource({
      alias: 'main',
      url: primaryUrl,
      mirrors: [mirror.url],
      rootFile: join(reg.registryDir, 'metadata', '1.root.json'),
    });
    const t0 = performance.now();
    const r = await c.refresh();
    const ms = performance.now() - t0;
    if (r.failed.length) throw new Error(`refresh failed: ${r.failed[0].message}`);
    rmSync(home, { recursive: true, force: true });
    return { ms, mirror: r.refreshed[0].mirror };
  }

  for (let i = 0; i < 3; i++) await once(healthy.url); // warm up the JIT and the sockets
  const times = Object.fromEntries(Object.keys(primaries).map((k) => [k, []]));
  const servedBy = {};
  // Interleaved, so drift over the run hits every case alike.
  for (let i = 0; i < RUNS; i++) {
    for (const [name, p] of Object.entries(primaries)) {
      const r = await once(p.url);
      times[name].push(r.ms);
      servedBy[name] = r.mirror === mirror.url ? 'mirror' : 'primary';
    }
  }
  const base = median(times.healthy);
  console.log(`refresh to a verified index, median of ${RUNS} cold runs, hedge delay ${HEDGE_MS} ms`);
  console.log('primary      median ms   ratio   served by   budget');
  for (const name of Object.keys(primaries)) {
    const m = median(times[name]);
    const budget =
      name === 'refusing'
        ? `< 1.2× → ${m / base < 1.2 ? 'ok' : 'OVER'}`
        : name === 'hanging'
          ? `≤ (healthy + hedge) × 1.5 = ${((base + HEDGE_MS) * 1.5).toFixed(1)} ms → ${m <= (base + HEDGE_MS) * 1.5 ? 'ok' : 'OVER'}`
          : '';
    console.log(
      `${name.padEnd(12)} ${m.toFixed(1).padStart(9)}   ${(m / base).toFixed(2).padStart(5)}×   ${servedBy[name].padEnd(9)}   ${budget}`,
    );
  }
  report(
    'refresh-failover',
    Object.keys(primaries).map((name) => {
      const m = median(times[name]);
      const limit = name === 'refusing' ? base * 1.2 : name === 'hanging' ? (base + HEDGE_MS) * 1.5 : undefined;
      return {
        what: `refresh, primary ${name}`,
        ms: m,
        floor: 'refresh, primary healthy',
        floorMs: base,
        ...(limit === undefined ? {} : { budget: `≤ ${limit.toFixed(0)} ms`, ok: m <= limit }),
      };
    }),
  );
  for (const p of Object.values(primaries)) await p.close();
  await healthy.close();
  await mirror.close();
} finally {
  rmSync(root, { recursive: true, force: true });
}
