#!/usr/bin/env node
// Bundles the CLI as tsc built it (dist/cli/entry.js) into dist/bundle/wharf.mjs: one file for what every command
// needs and a chunk per lazily imported part (the client library, tuf-js, the MCP SDK, the author tools...), so a
// start reads a few files instead of hundreds and `--version` evaluates almost nothing. Run by `npm run build`
// after `tsc -b`; bin/wharf.js falls back to dist/cli/ while the bundle is older than the last tsc build.
//   node client/scripts/bundle-cli.mjs [--outdir <dir>] [--force]   (skips when the bundle is newer than its inputs)
import { rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/**
 * @param {{ entry: string, name: string, outdir: string, external?: string[] }} o
 *   entry: a tsc-built ESM entry; the output is <outdir>/<name>.mjs plus its chunks, all in <outdir> itself.
 */
export async function bundleCli(o) {
  rmSync(o.outdir, { recursive: true, force: true }); // no chunk of an earlier build is left to be loaded
  const r = await build({
    entryPoints: { [o.name]: o.entry },
    outdir: o.outdir,
    // Flat in outdir, one level below dist/ like the modules were: paths made from import.meta.url
    // (official-sources.ts, the review bot's smoke child) resolve to the same files.
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    minify: o.minify ?? true,
    sourcemap: 'linked',
    // Extism's Node build starts worker threads from its own files; it is loaded only by commands that run plugins.
    external: ['@extism/extism', ...(o.external ?? [])],
    // CommonJS dependencies (commander, tuf-js, semver) call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __wharfRequire } from 'node:module'; const require = __wharfRequire(import.meta.url);",
    },
    plugins: [lazyChildProcessForCommander],
    logLevel: 'warning',
    metafile: true,
  });
  return r.metafile;
}

const mtime = (p) => statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0;

/**
 * True when <outdir>/<name>.mjs is newer than every tsc build it was made from (`builds`: tsbuildinfo files), this
 * script and esbuild: the test the bins make before loading it, so that a rebuild with nothing changed skips it.
 */
export function bundleIsFresh(o, builds) {
  const made = mtime(join(o.outdir, `${o.name}.mjs`));
  const inputs = [...builds, fileURLToPath(import.meta.url), fileURLToPath(import.meta.resolve('esbuild'))];
  return made > 0 && inputs.every((f) => mtime(f) <= made);
}

/**
 * commander requires node:child_process at load time, only to spawn executable subcommands (which no Wharf CLI
 * has); loading it costs a start ~5 ms. Inside commander, it is required on first use instead.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(a.importer)
        ? { path: 'child_process', namespace: 'lazy-cp' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-cp' }, () => ({
      contents: "let cp; module.exports = new Proxy({}, { get: (_, k) => (cp ??= require('node:child_process'))[k] });",
      loader: 'js',
    }));
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const client = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const i = process.argv.indexOf('--outdir');
  const o = {
    entry: join(client, 'dist', 'cli', 'entry.js'),
    name: 'wharf',
    outdir: i > 0 ? resolve(process.argv[i + 1]) : join(client, 'dist', 'bundle'),
  };
  const builds = ['tsconfig.tsbuildinfo', '../schemas/tsconfig.tsbuildinfo'].map((f) => join(client, f));
  if (process.argv.includes('--force') || !bundleIsFresh(o, builds)) await bundleCli(o);
}
