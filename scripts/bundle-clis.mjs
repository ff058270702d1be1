#!/usr/bin/env node
// `npm run build`, after `tsc -b`: bundles the wharf and wharf-admin CLIs side by side (client/scripts/bundle-cli.mjs),
// each only when tsc rebuilt something it is made of since it was last bundled.
//   node scripts/bundle-clis.mjs [--force]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleCli, bundleIsFresh } from '../client/scripts/bundle-cli.mjs';

const repo = resolve(import.meta.dirname, '..');
const builds = (...pkgs) => pkgs.map((p) => join(repo, p, 'tsconfig.tsbuildinfo'));
const targets = [
  { pkg: 'client', name: 'wharf', builds: builds('client', 'schemas') },
  { pkg: 'tools', name: 'wharf-admin', builds: builds('tools', 'client', 'schemas') },
];
const force = process.argv.includes('--force');

/**
 * A home for the code cache's training runs (bundle-cli.mjs): the example registry served on loopback, refreshed,
 * count-vowels installed, then the server stopped. Without the example plugins (built by examples/build.mjs, which
 * is run here when they are missing) the cache is trained on an empty home only, and says so.
 */
async function trainingHome(dir) {
  if (!existsSync(join(repo, 'examples/count-vowels/plugin.wasm')))
    spawnSync(process.execPath, [join(repo, 'examples/build.mjs')], { stdio: 'ignore' });
  try {
    await import('../client/dist/quiet-wasi-warning.js'); // before anything loads Extism
    const { WharfClient } = await import('../client/dist/index.js');
    const { serveDemoRegistry } = await import('../tools/dist/index.js');
    const demo = await serveDemoRegistry({
      examplesDir: join(repo, 'examples'),
      root: join(dir, 'demo'),
      only: ['count-vowels'],
    });
    try {
      const c = new WharfClient({ home: join(dir, 'home') });
      await c.addSource({ alias: 'local', url: demo.server.url, rootSha256: demo.reg.rootSha256 });
      await c.refresh();
      await c.install('count-vowels');
    } finally {
      await demo.server.close();
    }
    return join(dir, 'home');
  } catch (e) {
    console.warn(`bundle-clis: code cache trained on an empty home only (${e instanceof Error ? e.message : e})`);
    return undefined;
  }
}

const stale = targets.filter(
  (t) => force || !bundleIsFresh({ outdir: join(repo, t.pkg, 'dist/bundle'), name: t.name }, t.builds),
);
const work = mkdtempSync(join(tmpdir(), 'wharf-bundle-training-'));
try {
  const home = stale.some((t) => t.name === 'wharf') ? await trainingHome(work) : undefined;
  await Promise.all(
    stale.map((t) =>
      bundleCli({
        entry: join(repo, t.pkg, 'dist/cli/entry.js'),
        name: t.name,
        outdir: join(repo, t.pkg, 'dist/bundle'),
        trainingHome: home,
      }),
    ),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
