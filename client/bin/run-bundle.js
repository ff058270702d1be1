// Runs a CLI bundle (dist/bundle/<name>.cjs, made by client/scripts/bundle-cli.mjs) as a vm.Script with the V8
// code cache written beside it at build time, so a start compiles almost nothing: Node 20 has no code cache for
// ES modules (module.enableCompileCache() is Node 22). V8 checks the cache against the source, its own version and
// flags, and compiles normally when it does not match (cachedDataRejected).
//   node run-bundle.js --train <bundle.cjs> '<json array of argv arrays>'   (the build: runs them, writes the cache)
// Built-ins through getBuiltinModule, not `import`: an ES module import of node:fs builds its facade from every
// export, which loads node:fs's streams (~2 ms) that no read-only command uses.
const { readFileSync, renameSync, statSync, writeFileSync } = process.getBuiltinModule('node:fs');
const { createRequire } = process.getBuiltinModule('node:module');
const { dirname } = process.getBuiltinModule('node:path');
const { fileURLToPath, pathToFileURL } = process.getBuiltinModule('node:url');
const vm = process.getBuiltinModule('node:vm');

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
  if (cachedData && script.cachedDataRejected && process.env.WHARF_DEBUG_CODE_CACHE)
    process.stderr.write(`code cache of ${file} rejected\n`);
  return script;
}

/** Evaluate the bundle once: its entry starts the CLI on process.argv; resolves when the command is done. */
function evaluate(script, file) {
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports.done;
}

/** Run the CLI in `bundle` (a file URL or path) for this process's argv. */
export function runBundle(bundle) {
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

if (process.argv[2] === '--train' && import.meta.url === pathToFileURL(process.argv[1]).href)
  await train(process.argv[3], JSON.parse(process.argv[4]));
