// Where the library's in-process install spends its time: start → first body byte, the body, after the last byte
// (signature, admission, placement, fsync wait, lockfile). Medians of RUNS installs into fresh homes.
// Run: npx tsc -b && node bench/install/phases.mjs   (add --cpu-prof for a profile of the same runs)
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { installFixture } from './setup.mjs';

process.emitWarning = () => {};
const { WharfClient } = await import('@wharf/client');
const RUNS = Number(process.env.RUNS ?? 15);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fx = await installFixture();
try {
  const rows = { first: [], body: [], after: [], total: [], chunks: [] };
  for (let i = 0; i < RUNS + 3; i++) {
    if (process.env.CURL) {
      // curl writes (and the bench removes) 10 MB between two installs; forked from this process, unlike run.mjs
      // (which keeps this process unforked during its samples), so this also shows what a fork costs them.
      const out = join(fx.root, 'curl.wasm');
      execFileSync('curl', ['-s', '-o', out, fx.url]);
      rmSync(out);
    }
    const home = fx.freshHome();
    const c = new WharfClient({ home });
    let first = 0;
    let last = 0;
    let chunks = 0;
    const t0 = performance.now();
    await c.install(fx.manifest.id, {
      onProgress: (got, total) => {
        const now = performance.now();
        chunks++;
        if (!first) first = now;
        if (got === total) last = now;
      },
    });
    const t1 = performance.now();
    rmSync(home, { recursive: true, force: true });
    if (i < 3) continue;
    rows.first.push(first - t0);
    rows.body.push(last - first);
    rows.after.push(t1 - last);
    rows.total.push(t1 - t0);
    rows.chunks.push(chunks);
  }
  for (const [k, v] of Object.entries(rows)) console.log(`${k.padEnd(8)} ${median(v).toFixed(1).padStart(7)}`);
} finally {
  await fx.server?.close();
  rmSync(fx.root, { recursive: true, force: true });
}
