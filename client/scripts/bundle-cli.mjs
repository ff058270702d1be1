// Bundles a CLI as tsc built it (dist/cli/entry.js) into ONE CommonJS file, dist/bundle/<name>.cjs, plus V8 code
// caches beside it (<name>.cjs.cache, and <name>.cjs.<command>.cache for the repeated commands) that
// bin/run-bundle.cjs hands to vm.Script; wharf's seldom-run validators go to validators-cold.cjs beside it
// (COLD_VALIDATORS). Measured on Node 20 (bench/cli):
// the code-split ESM bundle spent a `wharf list` ~13 ms compiling modules and ~8 ms resolving and linking ~20
// chunks; one script read with its code cache is compiled in ~2 ms. Lazily imported parts (tuf-js, the MCP SDK,
// the install pipeline, the author tools) are in the same file inside esbuild's lazy init functions: with a code
// cache V8 neither parses nor compiles them until a command calls them, so they cost a start only their bytes'
// read. scripts/bundle-clis.mjs runs this for wharf and wharf-admin after `tsc -b`; the bins fall back to dist/cli/
// while a bundle is older than tsc's last build.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

// The file is its own CommonJS wrapper: as a vm.Script (bin/run-bundle.cjs) it evaluates to the module function,
// which the loader calls with the usual parameters; run by Node (`node <name>.cjs`) it calls that function itself.
// Wrapping the source in the loader instead made V8 flatten a copy of the whole megabyte at every start (~5 ms).
const WRAPPER_OPEN =
  '(typeof module == "object" && require.main === module ? (f) => f(exports, require, module, __filename, __dirname) : (f) => f)(function (exports, require, module, __filename, __dirname) {';
const WRAPPER_CLOSE = '\n})';

/**
 * The commands run to make the code cache: what they compile is what the cache holds (see writeCodeCache). `empty`
 * is a home with nothing in it (the refusals); `home`, when the build gives one (o.trainingHome), has a refreshed
 * source and an installed plugin, so the catalog, the registry validator, semver and the sandbox are compiled too.
 */
const TRAINING = {
  wharf: (empty, home, sharded, installHome) => [
    ['--help'],
    ['--version'],
    ['--home', empty, 'list'],
    ['--home', empty, 'source', 'list'],
    ['--home', empty, '--offline', 'search', 'x'],
    ...(home
      ? [
          ['--home', home, 'list'],
          ['--home', home, 'source', 'list'],
          ['--home', home, '--offline', 'search', 'vowels'],
          ['--home', home, '--json', '--offline', 'search', 'vowels'],
          ['--home', home, '--offline', 'info', 'count-vowels'],
          ['--home', home, 'outdated', '--offline'],
          ['--home', home, 'verify'],
          ['--home', home, 'run', 'count-vowels', 'count_vowels', '--input', 'training'],
        ]
      : []),
    // A sharded source, its registry still served: the warm search (cached search index) and a no-change refresh.
    ...(sharded
      ? [
          ['--home', sharded, 'search', 'vowels'],
          ['--home', sharded, '--json', 'search', 'word'],
          ['--home', sharded, 'refresh'],
          ['--home', sharded, 'list'],
        ]
      : []),
    // Last, on a copy of `home` with no cached artifact: an uninstall, then an install that downloads, verifies,
    // admits and places it (the download and admission paths start compiled; the copy is thrown away).
    ...(installHome
      ? [
          ['--home', installHome, 'uninstall', 'count-vowels'],
          ['--home', installHome, 'install', 'count-vowels'],
        ]
      : []),
  ],
  'wharf-admin': () => [['--help'], ['validate', '/nonexistent']],
};

/**
 * A module tsc built that the bin runs before the bundle, as CommonJS beside it (.js → .cjs): `wharf run` starts its
 * plugin's worker there, so that its boot overlaps even the bundle's compile (client/src/run/prestart.ts). Relative
 * to the entry. Not in the bundle's dir, which holds the bundle alone; written atomically, as a start may be reading it.
 */
const EARLY = { wharf: '../run/prestart.js' };

/**
 * Validators a CLI keeps in a file apart (<outdir>/validators-cold.cjs), required on first use: the read-only
 * commands, `run` and `install` validate only a sources file and a lockfile, and every start read the other five
 * (~240 KB of a 750 KB bundle) for nothing, at ~9 µs a KB on this machine (the bundle's read is page faults).
 * A cold refresh of a monolithic registry, `publish` and the author tools pay an uncached compile of that file.
 * wharf-admin validates registries, manifests and reports all the time, so it keeps them in its bundle.
 */
const COLD_VALIDATORS = { wharf: ['manifest', 'registry', 'report', 'submission', 'permissions'] };
const COLD_FILE = 'validators-cold.cjs';
/** The loader a bundle made with `loaderCopy` has beside it: a copy of bin/wharf.cjs (which holds the loader). */
const LOADER = 'run-bundle.cjs';

/**
 * @param {{ entry: string, name: string, outdir: string, external?: string[], minify?: boolean, codeCache?: boolean,
 *   trainingHome?: string, trainingSharded?: string, loaderCopy?: boolean }} o
 *   entry: a tsc-built ESM entry; the output is <outdir>/<name>.cjs (+ .cache, and a .map). trainingHome: a wharf home
 *   with a source and a plugin, read (never changed: read-only commands and `run` are trained on it, and an
 *   uninstall + install on a throwaway copy of it).
 */
export async function bundleCli(o) {
  rmSync(o.outdir, { recursive: true, force: true }); // nothing of an earlier build is left to be loaded
  mkdirSync(o.outdir, { recursive: true });
  const outfile = join(o.outdir, `${o.name}.cjs`);
  // The loader beside the bundle, for a bin in another package (wharf-admin): resolving @wharf/client/run-bundle
  // through node_modules and its exports map cost every `wharf-admin` start ~1.5 ms. Before the bundle, as below.
  if (o.loaderCopy) cpSync(fileURLToPath(new URL('../bin/wharf.cjs', import.meta.url)), join(o.outdir, LOADER));
  // The cold validators first: a start that finds the bundle finds its side file too.
  if (COLD_VALIDATORS[o.name]) {
    const real = generatedValidators();
    await build({
      stdin: {
        contents: `export { ${COLD_VALIDATORS[o.name].join(', ')} } from ${JSON.stringify(real)};`,
        resolveDir: dirname(real),
        loader: 'js',
      },
      outfile: join(o.outdir, COLD_FILE),
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20.19',
      minify: o.minify ?? true,
      charset: 'ascii',
      logLevel: 'warning',
    });
  }
  const r = await build({
    entryPoints: [o.entry],
    outfile,
    bundle: true,
    // CommonJS so that bin/run-bundle.cjs can compile it as a vm.Script with a code cache (Node 20 has no code
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
    // Extism stays outside: its CommonJS build is required only by the commands that run plugins. So does the MCP
    // SDK (with zod and ajv, a third of the bundle), which only the long-running `wharf mcp` loads: every other
    // start read those bytes twice over (the file, then its string) for nothing.
    external: ['@extism/extism', '@modelcontextprotocol/sdk', ...(o.external ?? [])],
    // The file is one level below dist/ like the modules were, so paths made from import.meta.url
    // (official-sources.ts, the review bot's smoke child) resolve to the same files.
    define: { 'import.meta.url': '__bundleUrl', 'import.meta.dirname': '__dirname' },
    banner: { js: `${WRAPPER_OPEN}var __bundleUrl = require('node:url').pathToFileURL(__filename).href;` },
    footer: { js: WRAPPER_CLOSE },
    plugins: [lazyBuiltins, ...(COLD_VALIDATORS[o.name] ? [coldValidators(COLD_VALIDATORS[o.name])] : [])],
    logLevel: 'warning',
    metafile: true,
  });
  if (EARLY[o.name]) {
    const entry = join(dirname(o.entry), EARLY[o.name]);
    const url = (await import(pathToFileURL(entry).href)).extismWorkerUrl();
    const early = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20.19',
      minify: o.minify ?? true,
      define: { 'import.meta.url': '__bundleUrl', ...(url ? { WHARF_EXTISM_WORKER_URL: JSON.stringify(url) } : {}) },
      banner: { js: "var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
      logLevel: 'warning',
    });
    const file = entry.replace(/\.js$/, '.cjs');
    writeFileSync(`${file}.${process.pid}.tmp`, early.outputFiles[0].contents);
    renameSync(`${file}.${process.pid}.tmp`, file);
  }
  if (o.codeCache ?? true) await writeCodeCache(outfile, TRAINING[o.name], o.trainingHome, o.trainingSharded);
  return r.metafile;
}

/**
 * Commands that get a code cache of their own, which the loader (bin/wharf.cjs) takes when it exists: the repeated
 * ones, `install` (its whole-process time is budgeted too), and `top`, an argv that names no command.
 */
const OWN_CACHE = new Set(['search', 'list', 'info', 'source', 'outdated', 'refresh', 'run', 'install', 'top']);
const { cacheKeyOf } = createRequire(import.meta.url)('../bin/run-bundle.cjs');

/**
 * Runs the bundle once per training command in a child process (`bin/run-bundle.cjs --train`), which then writes
 * V8's code cache of every function compiled so far: <bundle>.cache from all of them, and <bundle>.<command>.cache
 * from one command's runs for each command in OWN_CACHE. A start with a cache compiles nothing it holds; V8 rejects
 * a cache made for another source, V8 version or flags, and then compiles as usual.
 */
async function writeCodeCache(outfile, training, trainingHome, trainingSharded) {
  const tmp = mkdtempSync(join(tmpdir(), 'wharf-code-cache-'));
  try {
    // The install is trained on a copy of `home` with no cached artifact, so that it downloads; each child has its
    // own copy and its own empty home, as the children run side by side.
    const installHomeFor = (i) => {
      if (!trainingHome) return undefined;
      const h = join(tmp, `install-${i}`);
      cpSync(trainingHome, h, { recursive: true });
      rmSync(join(h, 'cache', 'artifacts'), { recursive: true, force: true });
      return h;
    };
    const argvsFor = (i) =>
      training ? training(join(tmp, `home-${i}`), trainingHome, trainingSharded, installHomeFor(i)) : [['--help']];
    const all = argvsFor(0);
    const own = [...new Set(all.map(cacheKeyOf))].filter((c) => OWN_CACHE.has(c));
    // The install's own cache is trained after the uninstall that makes it download, as in the whole one.
    const trainedFor = (cmd) => (a) => cacheKeyOf(a) === cmd || (cmd === 'install' && cacheKeyOf(a) === 'uninstall');
    await Promise.all([
      trainChild(outfile, all, `${outfile}.cache`, join(tmp, 'home-0')),
      ...own.map((cmd, i) =>
        trainChild(
          outfile,
          argvsFor(i + 1).filter(trainedFor(cmd)),
          `${outfile}.${cmd}.cache`,
          join(tmp, `home-${i + 1}`),
        ),
      ),
    ]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function trainChild(outfile, argvs, cacheFile, home) {
  const loader = fileURLToPath(new URL('../bin/run-bundle.cjs', import.meta.url));
  // Not spawnSync: the training refreshes against registries this process serves.
  const child = spawn(process.execPath, [loader, '--train', outfile, JSON.stringify(argvs), cacheFile], {
    env: { ...process.env, WHARF_HOME: home },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => {
    stderr += d;
  });
  const [status] = await once(child, 'close');
  if (status !== 0) throw new Error(`writing the code cache ${cacheFile} failed: ${stderr}`);
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
    fileURLToPath(new URL('../bin/run-bundle.cjs', import.meta.url)),
    // The loader proper: how it compiles (its V8 flags included) is what the code cache is checked against.
    fileURLToPath(new URL('../bin/wharf.cjs', import.meta.url)),
    fileURLToPath(import.meta.resolve('esbuild')),
  ];
  return made > 0 && inputs.every((f) => mtime(f) <= made);
}

// What a start need not load or initialise: the network stack (node:https alone costs a start ~5 ms, with tls,
// net, http), crypto, child_process, fs/promises, and the CommonJS packages whose top level is slow (semver's index
// builds ~100 regular expressions, ~2 ms; ajv-formats compiles its formats) are loaded on first use by a command,
// not when a module that names them is evaluated.
const LAZY_BUILTINS = new Set([
  'child_process',
  'crypto',
  'dns',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'readline/promises',
  'tls',
  'zlib',
]);
// semver's own modules, one per function (as semver documents for a small footprint): `outdated` needs three
// functions and the SemVer class, and semver's index loaded all 50 modules, Range and Comparator too (~1 ms).
const LAZY_DEEP = /^semver\/(functions|ranges)\/[a-z-]+\.js$/;
const LAZY_PACKAGES = new Set([
  'semver',
  'ajv-formats/dist/formats.js',
  'ajv/dist/runtime/ucs2length.js',
  'ipaddr.js',
  // Its formatter's tables (~300 KB of strings) are built at import; only plugin.json's parse uses it.
  'jsonc-parser',
]);
/**
 * A lazy package whose first use needs only one of its modules: that module is what loads, and only these names are
 * forwarded (importing another one fails the build). `visit` (schemas' strict JSON reader, which reads sources.json
 * and the lockfile in most commands) is jsonc-parser's parser; its main also built the formatter's string tables.
 */
const LAZY_PART = { 'jsonc-parser': { module: 'jsonc-parser/lib/esm/impl/parser.js', names: ['visit'] } };

/**
 * `import { request } from 'node:https'` becomes a function that requires node:https on its first call and calls
 * (or constructs) the real one; a default or namespace import's `default` is a Proxy doing the same per property,
 * and CommonJS dependencies' require('https') gets that Proxy too. Only functions are forwarded by name: importing a
 * non-function by name (a constant) fails the build, where it is seen, instead of reading undefined at run time.
 */
/** schemas' generated validators as tsc built them (dist/generated/validators.js). */
function generatedValidators() {
  const req = createRequire(import.meta.url);
  return join(dirname(req.resolve('@wharf/schemas')), 'generated', 'validators.js');
}

/**
 * Replaces schemas' generated validators with a module that keeps the hot ones (bundled as usual; the others are
 * dropped, the generator marks each validator pure) and forwards each cold one to COLD_FILE, required on its first
 * call. A forwarder is an ajv validate function as validate.ts uses it: (data, ctx) → boolean, then `.errors`.
 */
function coldValidators(cold) {
  const real = generatedValidators();
  return {
    name: 'cold-validators',
    setup(b) {
      b.onResolve({ filter: /[\\/]generated[\\/]validators\.js$/ }, (a) =>
        a.namespace === 'cold-validators' ? undefined : { path: real, namespace: 'cold-validators' },
      );
      b.onLoad({ filter: /.*/, namespace: 'cold-validators' }, async () => {
        const all = Object.keys(await import(pathToFileURL(real).href));
        const hot = all.filter((k) => !cold.includes(k));
        const missing = cold.filter((k) => !all.includes(k));
        if (missing.length > 0) throw new Error(`no validator ${missing.join(', ')} in ${real}`);
        return {
          contents: [
            `export { ${hot.join(', ')} } from ${JSON.stringify(real)};`,
            `let m;`,
            `const side = () => (m ??= require(require('node:path').join(__dirname, ${JSON.stringify(COLD_FILE)})));`,
            'function cold(name) {',
            '  const v = (data, ctx) => { const f = side()[name]; const ok = f(data, ctx); v.errors = f.errors; return ok; };',
            '  v.errors = null;',
            '  return v;',
            '}',
            ...cold.map((k) => `export const ${k} = cold(${JSON.stringify(k)});`),
          ].join('\n'),
          loader: 'js',
          resolveDir: dirname(real),
        };
      });
    },
  };
}

const lazyBuiltins = {
  name: 'lazy-modules',
  setup(b) {
    b.onResolve(
      {
        filter: new RegExp(
          `${/^(node:)?[a-z_/]+$|^(semver|ajv-formats\/dist\/formats\.js|ajv\/dist\/runtime\/ucs2length\.js|ipaddr\.js|jsonc-parser)$/.source}|${LAZY_DEEP.source}`,
        ),
      },
      (a) => {
        const name = a.path.replace(/^node:/, '');
        const pkg = LAZY_PACKAGES.has(a.path) || LAZY_DEEP.test(a.path);
        const builtin = LAZY_BUILTINS.has(name) && !pkg;
        if (!builtin && !pkg) return undefined;
        // The lazy module's own require of the real one: a built-in stays external, a package is bundled as usual.
        if (a.namespace.startsWith('lazy-')) return builtin ? { path: `node:${name}`, external: true } : undefined;
        const pluginData = { builtin, resolveDir: a.resolveDir };
        return { path: name, namespace: a.kind === 'require-call' ? 'lazy-cjs' : 'lazy-esm', pluginData };
      },
    );
    const spec = (a) => (a.pluginData.builtin ? `node:${a.path}` : a.path);
    // `esModule`: the module's __esModule, known at build time and answered without loading it: TypeScript's
    // __importDefault reads it at import (@tufjs/models' require("crypto")), which loaded node:crypto at every start.
    const proxy = (esModule) => `new Proxy({}, {
  get: (_, k) => (k === '__esModule' ? ${esModule ? 'true' : 'undefined'} : r()[k]), has: (_, k) => k in r(), ownKeys: () => Reflect.ownKeys(r()),
  getOwnPropertyDescriptor: (_, k) => { const d = Reflect.getOwnPropertyDescriptor(r(), k); return d && { ...d, configurable: true }; },
})`;
    const real = (a) =>
      `let m; const r = () => (m ??= require(${JSON.stringify(LAZY_PART[a.path]?.module ?? spec(a))}));`;
    const load = (a) => createRequire(join(a.pluginData.resolveDir, 'x.js'))(spec(a));
    b.onLoad({ filter: /.*/, namespace: 'lazy-cjs' }, (a) => ({
      contents: `${real(a)}\nmodule.exports = ${proxy(load(a).__esModule === true)};`,
      loader: 'js',
      resolveDir: a.pluginData.resolveDir,
    }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-esm' }, (a) => {
      const mod = load(a);
      const fns = Object.keys(mod).filter(
        (k) =>
          typeof mod[k] === 'function' &&
          /^[A-Za-z_$][\w$]*$/.test(k) &&
          (!LAZY_PART[a.path] || LAZY_PART[a.path].names.includes(k)),
      );
      const forward = (k) =>
        `export function ${k}(...a) { return new.target ? new (r().${k})(...a) : r().${k}.apply(this, a); }`;
      // A module that is one function (semver/functions/gt.js): its default export calls it.
      const whole = 'export default function lazy(...a) { return new.target ? new (r())(...a) : r().apply(this, a); }';
      return {
        contents: [
          real(a),
          ...fns.filter((k) => k !== 'default').map(forward),
          typeof mod === 'function' ? whole : `export default ${proxy(mod.__esModule === true)};`,
        ].join('\n'),
        loader: 'js',
        resolveDir: a.pluginData.resolveDir,
      };
    });
  },
};
