#!/usr/bin/env node
// `npm run build`, after `tsc -b`: bundles the wharf and wharf-admin CLIs side by side (client/scripts/bundle-cli.mjs),
// each only when tsc rebuilt something it is made of since it was last bundled.
//   node scripts/bundle-clis.mjs [--force]
import { join, resolve } from 'node:path';
import { bundleCli, bundleIsFresh } from '../client/scripts/bundle-cli.mjs';

const repo = resolve(import.meta.dirname, '..');
const builds = (...pkgs) => pkgs.map((p) => join(repo, p, 'tsconfig.tsbuildinfo'));
const targets = [
  { pkg: 'client', name: 'wharf', builds: builds('client', 'schemas') },
  { pkg: 'tools', name: 'wharf-admin', builds: builds('tools', 'client', 'schemas') },
];
const force = process.argv.includes('--force');
await Promise.all(
  targets.map(async (t) => {
    const o = { entry: join(repo, t.pkg, 'dist/cli/entry.js'), name: t.name, outdir: join(repo, t.pkg, 'dist/bundle') };
    if (force || !bundleIsFresh(o, t.builds)) await bundleCli(o);
  }),
);
