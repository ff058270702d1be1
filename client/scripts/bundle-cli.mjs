// Bundles a CLI as tsc built it (dist/cli/entry.js) into ONE CommonJS file, dist/bundle/<name>.cjs, plus a V8 code
// cache beside it (<name>.cjs.cache) that bin/run-bundle.js hands to vm.Script. Measured on Node 20 (bench/cli):
// the code-split ESM bundle spent a `wharf list` ~13 ms compiling modules and ~8 ms resolving and linking ~20
// chunks; one script read with its code cache is compiled in ~2 ms. Lazily imported parts (tuf-js, the MCP SDK,
// the install pipeline, the author tools) are in the same file inside esbuild's lazy init functions: with a code
// cache V8 neither parses nor compiles them until a command calls them, so they cost a start only their bytes'
// read. scripts/bundle-clis.mjs runs this for wharf and wharf-admin after `tsc -b`; the bins fall back to dist/cli/
// while a bundle is older than tsc's last build.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The commands run to make the code cache: what they compile is what the cache holds (see writeCodeCache). */
const TRAINING = {
  wharf: (home) => [
    ['--version'],
    ['--help'],
    ['--home', home, 'list'],
    ['--home', home, 'source', 'list'],
    ['--home', home, '--offline', 'search', 'x'],
    ['--home', home, '--offline', 'info', 'x'],
    ['--home', home, 'outdated', '--offline'],
    ['--home', home, 'verify'],
  ],
  'wharf-admin': () => [['--version'], ['--help']],
};

/**
 * @param {{ entry: string, name: string, outdir: string, external?: string[], minify?: boolean, codeCache?: boolean }} o
 *   entry: a tsc-built ESM entry; the output is <outdir>/<name>.cjs (+ .cache, and a .map).
 */
export async function bundleCli(o) {
  rmSync(o.outdir, { recursive: true, force: true }); // nothing of an earlier build is left to be loaded
  mkdirSync(o.outdir, { recursive: true });
  const outfile = join(o.outdir, `${o.name}.cjs`);
  const r = await build({
    entryPoints: [o.entry],
    outfile,
    bundle: true,
    // CommonJS so that bin/run-bundle.js can compile it as a vm.Script with a code cache (Node 20 has no code
    // cache for ES modules). Dynamic import() of bundled modules becomes a lazy require of the same file.
    format: 'cjs',
    platform: 'node',
    // ESM builds first: jsonc-parser's UMD main loads its parts with a require() esbuild cannot follow.
    mainFields: ['module', 'main'],
    target: 'node20.19',
    minify: o.minify ?? true,
    // ASCII output, so the loader can read it as latin1 (faster than decoding UTF-8) with the same characters.
    charset: 'ascii',
    // A map beside it, with no sourceMappingURL comment.
    sourcemap: 'external',
    // Extism's Node build starts worker threads from its own files; it is loaded only by commands that run plugins
    // (an import() the loader sends to Node's own ESM loader).
    external: ['@extism/extism', ...(o.external ?? [])],
    // The file is one level below dist/ like the modules were, so paths made from import.meta.url
    // (official-sources.ts, the review bot's smoke child) resolve to the same files.
    define: { 'import.meta.url': '__bundleUrl', 'import.meta.dirname': '__dirname' },
    // A plain CommonJS module: bin/run-bundle.js gives it the usual parameters, and `node <name>.cjs` runs it too.
    banner: { js: "var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [lazyBuiltins],
    logLevel: 'warning',
    metafile: true,
  });
  if (o.codeCache ?? true) writeCodeCache(outfile, TRAINING[o.name]);
  return r.metafile;
}

/**
 * Runs the bundle once per training command in one child process (bin/run-bundle.js with WHARF_CODE_CACHE_TRAIN),
 * which then writes V8's code cache of every function compiled so far. A start with the cache compiles nothing it
 * holds; V8 rejects a cache made for another source, V8 version or flags, and then compiles as usual.
 */
function writeCodeCache(outfile, training) {
  const home = mkdtempSync(join(tmpdir(), 'wharf-code-cache-'));
  try {
    const loader = fileURLToPath(new URL('../bin/run-bundle.js', import.meta.url));
    const argvs = JSON.stringify(training ? training(join(home, 'home')) : [['--help']]);
    const t = spawnSync(process.execPath, [loader, '--train', outfile, argvs], {
      env: { ...process.env, WHARF_HOME: join(home, 'home') },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    if (t.status !== 0) throw new Error(`writing the code cache of ${outfile} failed: ${t.stderr}`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const mtime = (p) => statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0;

/**
 * True when <outdir>/<name>.cjs is newer than every tsc build it was made from (`builds`: tsbuildinfo files), this
 * script, the loader and esbuild: the test the bins make before loading it, so that a rebuild with nothing changed
 * skips it.
 */
export function bundleIsFresh(o, builds) {
  const made = mtime(join(o.outdir, `${o.name}.cjs`));
  const inputs = [
    ...builds,
    fileURLToPath(import.meta.url),
    fileURLToPath(new URL('../bin/run-bundle.js', import.meta.url)),
    fileURLToPath(import.meta.resolve('esbuild')),
  ];
  return made > 0 && inputs.every((f) => mtime(f) <= made);
}

// Built-ins a start need not load: the network stack (node:https alone costs a start ~5 ms, with tls, net, http),
// crypto and child_process are loaded on first use by a command, not when a module that names them is evaluated.
const LAZY = new Set(['child_process', 'crypto', 'dns', 'http', 'https', 'net', 'tls', 'zlib']);
const nodeRequire = createRequire(import.meta.url);

/**
 * `import { request } from 'node:https'` becomes a function that requires node:https on its first call and calls
 * (or constructs) the real one; a default import is a Proxy doing the same per property, and CommonJS
 * dependencies' require('https') gets that Proxy too. Only functions are forwarded: importing a non-function by
 * name (a constant) fails the build, where it is seen, instead of reading undefined at run time.
 */
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_]+$/ }, (a) => {
      const name = a.path.replace(/^node:/, '');
      if (!LAZY.has(name)) return undefined;
      // The lazy module's own require of the real one.
      if (a.namespace.startsWith('lazy-builtin')) return { path: `node:${name}`, external: true };
      return { path: name, namespace: a.kind === 'require-call' ? 'lazy-builtin-cjs' : 'lazy-builtin' };
    });
    const proxy = `new Proxy({}, {
  get: (_, k) => r()[k], has: (_, k) => k in r(), ownKeys: () => Reflect.ownKeys(r()),
  getOwnPropertyDescriptor: (_, k) => { const d = Reflect.getOwnPropertyDescriptor(r(), k); return d && { ...d, configurable: true }; },
})`;
    const real = (name) => `let m; const r = () => (m ??= require('node:${name}'));`;
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin-cjs' }, (a) => ({
      contents: `${real(a.path)}\nmodule.exports = ${proxy};`,
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (a) => {
      const mod = nodeRequire(`node:${a.path}`);
      const fns = Object.keys(mod).filter((k) => typeof mod[k] === 'function' && /^[A-Za-z_$][\w$]*$/.test(k));
      const forward = (k) =>
        `export function ${k}(...a) { return new.target ? new (r().${k})(...a) : r().${k}.apply(this, a); }`;
      return {
        contents: [real(a.path), ...fns.map(forward), `export default ${proxy};`].join('\n'),
        loader: 'js',
      };
    });
  },
};
