// Bundles a CLI as tsc built it (dist/cli/entry.js) into dist/bundle/<name>.mjs: one file for what every command
// needs and a chunk per lazily imported part (the client library, tuf-js, the MCP SDK, the author tools...), so a
// start reads a few files instead of hundreds and `--version` evaluates almost nothing. scripts/bundle-clis.mjs runs
// it for wharf and wharf-admin after `tsc -b`; the bins fall back to dist/cli/ while a bundle is older than tsc's
// last build.
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
    // ESM builds first: jsonc-parser's UMD main loads its parts with a require() esbuild cannot follow.
    mainFields: ['module', 'main'],
    target: 'node20.19',
    minify: o.minify ?? true,
    // Maps beside the chunks, with no sourceMappingURL comment: Node scans each module for one on load.
    sourcemap: 'external',
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
