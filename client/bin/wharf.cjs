#!/usr/bin/env node
// The `wharf` command (package.json "bin"), and the loader that runs a CLI bundle, in one file: a bin's first
// require of a file of its own cost ~0.6 ms of every start (~3 % of a `wharf list`). CommonJS: a start through
// Node's ES module loader costs ~5 ms more than `node -e 0`, a tenth of the whole budget of a read-only command.
// bin/run-bundle.cjs re-exports the loader for the build and the other bins (tools' build copies this file beside
// wharf-admin's bundle as its loader); only as the process's entry, or through bin/wharf.js (main), does it run wharf.
//
// The loader runs a CLI bundle (dist/bundle/<name>.cjs, made by client/scripts/bundle-cli.mjs) as a vm.Script with
// the V8 code cache written beside it at build time, so a start compiles almost nothing: Node 20 has no code cache
// for ES modules (module.enableCompileCache() is Node 22). V8 checks the cache against the source, its own version
// and flags, and compiles normally when it does not match (cachedDataRejected).
// A command the build trained a cache of its own for (<bundle>.<command>.cache) starts with that one: V8 reads the
// whole cache at every start, and one command's is about half of all of them (~2 ms less on a warm search).
'use strict';
const { closeSync, openSync, readSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
// Module.createRequire from the CommonJS loader already running this file: require('node:module') also loads the
// ES module loader and the source-map support with it (~0.3 ms of every start).
const { createRequire } = module.constructor;
const { fileURLToPath } = require('node:url');
const vm = require('node:vm');

// Global options that take a value, so that the command is found after them (main.ts defines them).
const VALUE_OPTIONS = new Set(['--home', '--source', '--timeout']);

/** The command an argv runs (its first word that is neither an option nor an option's value), or undefined. */
function commandOf(argv) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return /^[a-z][a-z-]*$/.test(a) ? a : undefined;
  }
  return undefined;
}

/**
 * What an argv's code cache is named after: its command, or `top` for one that names none (`--help`, `--version`):
 * those read only the program's own options and help, and the whole bundle's cache (~850 KB, every command's
 * functions) cost them ~3 ms more to deserialize than the ~120 KB they use.
 */
function cacheKeyOf(argv) {
  return commandOf(argv) ?? 'top';
}

/** The cache file for this argv: the command's own when the build made one, else the bundle's. */
function cacheFor(file, argv) {
  const own = `${file}.${cacheKeyOf(argv)}.cache`;
  return statSync(own, { throwIfNoEntry: false }) ? own : `${file}.cache`;
}

function compile(file, cacheFile = cacheFor(file, process.argv.slice(2))) {
  const src = statSync(file);
  const cache = statSync(cacheFile, { throwIfNoEntry: false });
  // Only a cache at least as new as the bundle: an older one belongs to an earlier build.
  const cacheSize = cache && cache.mtimeMs >= src.mtimeMs ? cache.size : 0;
  // One buffer for both reads, the bundle's bytes first (copied into its string) and then the cache's: fresh memory
  // costs a start more than the reads (~11 µs a page where it was measured), and each file read on its own
  // faulted in a buffer of its own.
  const buf = Buffer.allocUnsafeSlow(Math.max(src.size, cacheSize));
  // The bundle is ASCII (esbuild charset: 'ascii'); latin1 reads it without UTF-8 decoding.
  const source = buf.toString('latin1', 0, readAll(file, buf, src.size));
  let cachedData;
  try {
    if (cacheSize > 0) cachedData = buf.subarray(0, readAll(cacheFile, buf, cacheSize));
  } catch {}
  // The bundle is its own CommonJS wrapper (bundle-cli.mjs): the script's value is the module function.
  const script = new vm.Script(source, {
    filename: file,
    cachedData,
    // import() of external packages (@extism/extism) goes to Node's own ESM loader, as from any module.
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER ?? ((s) => import(s)),
  });
  // WHARF_DEBUG_CODE_CACHE=1: say when a start compiles without the cache (the tests check it never does);
  // =verbose: also name the cache a start took.
  if (process.env.WHARF_DEBUG_CODE_CACHE && (!cachedData || script.cachedDataRejected))
    process.stderr.write(`code cache ${cacheFile} ${cachedData ? 'rejected' : 'missing'}\n`);
  else if (process.env.WHARF_DEBUG_CODE_CACHE === 'verbose') process.stderr.write(`code cache ${cacheFile} accepted\n`);
  return script;
}

/** Read up to `size` bytes of `file` into the start of `buf`; returns how many it read. */
function readAll(file, buf, size) {
  const fd = openSync(file, 'r');
  try {
    let n = 0;
    while (n < size) {
      const r = readSync(fd, buf, n, size - n, n);
      if (r === 0) break; // the file shrank meanwhile: what there is
      n += r;
    }
    return n;
  } finally {
    closeSync(fd);
  }
}

/** Evaluate the bundle once: its entry starts the CLI on process.argv; resolves when the command is done. */
function evaluate(script, file) {
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports.done;
}

/** Run the CLI in `bundle` (a file URL or path) for this process's argv. */
function runBundle(bundle) {
  const file = bundle instanceof URL ? fileURLToPath(bundle) : bundle;
  return evaluate(compile(file), file);
}

/** Run each argv in turn in this process, then write the code cache of everything they compiled. */
async function train(file, argvs, cacheFile = `${file}.cache`) {
  const script = compile(file, cacheFile);
  for (const argv of argvs) {
    process.argv = [process.argv[0], file, ...argv];
    await evaluate(script, file);
    process.exitCode = 0;
  }
  writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
  renameSync(`${cacheFile}.tmp`, cacheFile);
}

/**
 * `wharf`: the bundled CLI (dist/bundle/wharf.cjs and its code cache, made by `npm run build`) starts several times
 * faster than tsc's hundreds of modules. In a checkout where `tsc -b` rebuilt something after the bundle was made,
 * the bundle is old code: then the modules tsc just wrote run instead.
 */
function main() {
  const mtime = (rel) => statSync(join(__dirname, rel), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const bundle = mtime('../dist/bundle/wharf.cjs');
  const lastTsc = Math.max(mtime('../tsconfig.tsbuildinfo'), mtime('../../schemas/tsconfig.tsbuildinfo'));
  if (bundle > 0 && bundle >= lastTsc) {
    // `wharf run` starts its plugin's worker before the bundle is compiled (client/src/run/prestart.ts).
    if (process.argv.includes('run') && mtime('../dist/run/prestart.cjs') > 0)
      require('../dist/run/prestart.cjs').prestartForArgv(process.argv);
    return runBundle(join(__dirname, '../dist/bundle/wharf.cjs'));
  }
  return import('../dist/cli/entry.js');
}

module.exports = { main, runBundle, commandOf, cacheKeyOf, train };

if (require.main === module) main();
