#!/usr/bin/env node
// The `wharf` command (package.json "bin"). CommonJS: a start through Node's ES module loader costs ~5 ms more
// than `node -e 0`, a tenth of the whole budget of a read-only command.
// The bundled CLI (dist/bundle/wharf.cjs and its code cache, made by `npm run build`) starts several times faster
// than tsc's hundreds of modules. In a checkout where `tsc -b` rebuilt something after the bundle was made, the
// bundle is old code: then the modules tsc just wrote run instead.
'use strict';
const { statSync } = require('node:fs');
const { join } = require('node:path');

const mtime = (rel) => statSync(join(__dirname, rel), { throwIfNoEntry: false })?.mtimeMs ?? 0;
const bundle = mtime('../dist/bundle/wharf.cjs');
const lastTsc = Math.max(mtime('../tsconfig.tsbuildinfo'), mtime('../../schemas/tsconfig.tsbuildinfo'));
if (bundle > 0 && bundle >= lastTsc) {
  // `wharf run` starts its plugin's worker before the bundle is compiled (client/src/run/prestart.ts).
  if (process.argv.includes('run') && mtime('../dist/run/prestart.cjs') > 0)
    require('../dist/run/prestart.cjs').prestartForArgv(process.argv);
  require('./run-bundle.cjs').runBundle(join(__dirname, '../dist/bundle/wharf.cjs'));
} else import('../dist/cli/entry.js');
