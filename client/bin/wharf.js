#!/usr/bin/env node
// The bundled CLI (dist/bundle/wharf.cjs and its code cache, made by `npm run build`) starts several times faster
// than tsc's hundreds of modules. In a checkout where `tsc -b` rebuilt something after the bundle was made, the
// bundle is old code: then the modules tsc just wrote run instead.
// getBuiltinModule, not `import`: an ES module import of node:fs loads its streams too (see run-bundle.js).
const { statSync } = process.getBuiltinModule('node:fs');

const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? 0;
const bundle = mtime('../dist/bundle/wharf.cjs');
const lastTsc = Math.max(mtime('../tsconfig.tsbuildinfo'), mtime('../../schemas/tsconfig.tsbuildinfo'));
if (bundle > 0 && bundle >= lastTsc)
  await (await import('./run-bundle.js')).runBundle(new URL('../dist/bundle/wharf.cjs', import.meta.url));
else await import('../dist/cli/entry.js');
