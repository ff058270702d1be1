// Runs a CLI bundle (dist/bundle/<name>.cjs, made by client/scripts/bundle-cli.mjs) as a vm.Script with the V8
// code cache written beside it at build time, so a start compiles almost nothing: Node 20 has no code cache for
// ES modules (module.enableCompileCache() is Node 22). V8 checks the cache against the source, its own version and
// flags, and compiles normally when it does not match (cachedDataRejected).
//   node run-bundle.cjs --train <bundle.cjs> '<json array of argv arrays>'   (the build: runs them, writes the cache)
// CommonJS, like the bins: a start through Node's ES module loader costs ~5 ms more than `node -e 0`.
'use strict';
const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const { fileURLToPath } = require('node:url');
const vm = require('node:vm');

function compile(file) {
  // The bundle is ASCII (esbuild charset: 'ascii'); latin1 reads it without UTF-8 decoding.
  const source = readFileSync(file, 'latin1');
  let cachedData;
  try {
    // Only a cache at least as new as the bundle: an older one belongs to an earlier build.
    if (statSync(`${file}.cache`).mtimeMs >= statSync(file).mtimeMs) cachedData = readFileSync(`${file}.cache`);
  } catch {}
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    // import() of external packages (@extism/extism) goes to Node's own ESM loader, as from any module.
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER ?? ((s) => import(s)),
  });
  // WHARF_DEBUG_CODE_CACHE=1: say when a start compiles without the cache (the tests check it never does).
  if (process.env.WHARF_DEBUG_CODE_CACHE && (!cachedData || script.cachedDataRejected))
    process.stderr.write(`code cache of ${file} ${cachedData ? 'rejected' : 'missing'}\n`);
  return script;
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
async function train(file, argvs) {
  const script = compile(file);
  for (const argv of argvs) {
    process.argv = [process.argv[0], file, ...argv];
    await evaluate(script, file);
    process.exitCode = 0;
  }
  writeFileSync(`${file}.cache.tmp`, script.createCachedData());
  renameSync(`${file}.cache.tmp`, `${file}.cache`);
}

module.exports = { runBundle };

if (require.main === module && process.argv[2] === '--train')
  train(process.argv[3], JSON.parse(process.argv[4])).catch((e) => {
    process.stderr.write(`${e?.stack ?? e}\n`);
    process.exitCode = 1;
  });
