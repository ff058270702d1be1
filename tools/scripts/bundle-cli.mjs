#!/usr/bin/env node
// Bundles wharf-admin as tsc built it (dist/cli/entry.js) into dist/bundle/wharf-admin.mjs and its lazily loaded
// chunks, the same way as the wharf CLI (client/scripts/bundle-cli.mjs). Run by `npm run build` after `tsc -b`.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli, bundleIsFresh } from '../../client/scripts/bundle-cli.mjs';

const tools = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const i = process.argv.indexOf('--outdir');
const o = {
  entry: join(tools, 'dist', 'cli', 'entry.js'),
  name: 'wharf-admin',
  outdir: i > 0 ? resolve(process.argv[i + 1]) : join(tools, 'dist', 'bundle'),
};
const builds = ['tsconfig.tsbuildinfo', '../client/tsconfig.tsbuildinfo', '../schemas/tsconfig.tsbuildinfo'];
if (
  process.argv.includes('--force') ||
  !bundleIsFresh(
    o,
    builds.map((f) => join(tools, f)),
  )
)
  await bundleCli(o);
