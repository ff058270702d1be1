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
 * Homes for the code cache's training runs (bundle-cli.mjs), with the example registry served on loopback while they
 * run: `home` has it refreshed and count-vowels installed; `sharded` has a sharded copy (hashed bins, search index)
 * refreshed (twice) and searched once, so that a warm search and a no-change refresh of a sharded source are in the cache
 * too. Without the example plugins (built by examples/build.mjs, which is run here when they are missing) the cache
 * is trained on an empty home only, and says so.
 */
async function trainingHomes(dir) {
  if (!existsSync(join(repo, 'examples/count-vowels/plugin.wasm')))
    spawnSync(process.execPath, [join(repo, 'examples/build.mjs')], { stdio: 'ignore' });
  const servers = [];
  const close = () => Promise.all(servers.map((s) => s.server.close()));
  try {
    await import('../client/dist/quiet-wasi-warning.js'); // before anything loads Extism
    const { WharfClient } = await import('../client/dist/index.js');
    const { serveDemoRegistry, migrateToSharded } = await import('../tools/dist/index.js');
    const examplesDir = join(repo, 'examples');
    const demo = await serveDemoRegistry({ examplesDir, root: join(dir, 'demo'), only: ['count-vowels'] });
    servers.push(demo);
    const c = new WharfClient({ home: join(dir, 'home') });
    await c.addSource({ alias: 'local', url: demo.server.url, rootSha256: demo.reg.rootSha256 });
    await c.refresh();
    await c.install('count-vowels');
    const big = await serveDemoRegistry({ examplesDir, root: join(dir, 'demo-sharded') });
    servers.push(big);
    await migrateToSharded(big.reg.registryDir, { keysDir: big.reg.keysDir });
    const s = new WharfClient({ home: join(dir, 'sharded') });
    await s.addSource({ alias: 'local', url: big.server.url, rootSha256: big.reg.rootSha256 });
    await s.refresh();
    // A second, no-change refresh leaves the record of its check (client/src/index/trust-record.ts): the training's
    // refresh is then the usual no-change one, which verifies no signature.
    await s.refresh();
    await s.search('vowels');
    return { home: join(dir, 'home'), sharded: join(dir, 'sharded'), close };
  } catch (e) {
    await close();
    console.warn(`bundle-clis: code cache trained on an empty home only (${e instanceof Error ? e.message : e})`);
    return { close };
  }
}

const stale = targets.filter(
  (t) => force || !bundleIsFresh({ outdir: join(repo, t.pkg, 'dist/bundle'), name: t.name }, t.builds),
);
const work = mkdtempSync(join(tmpdir(), 'wharf-bundle-training-'));
try {
  const homes = stale.some((t) => t.name === 'wharf') ? await trainingHomes(work) : undefined;
  await Promise.all(
    stale.map((t) =>
      bundleCli({
        entry: join(repo, t.pkg, 'dist/cli/entry.js'),
        name: t.name,
        outdir: join(repo, t.pkg, 'dist/bundle'),
        trainingHome: homes?.home,
        trainingSharded: homes?.sharded,
        loaderCopy: t.pkg !== 'client',
      }),
    ),
  );
  await homes?.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}
