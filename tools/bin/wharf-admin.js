#!/usr/bin/env node
// The bundled CLI (dist/bundle/wharf-admin.cjs and its code cache, made by `npm run build`), unless `tsc -b`
// rebuilt tools, client or schemas after it was made: then it is old code, and the modules tsc just wrote run
// instead (as in client/bin/wharf.js, whose loader runs the bundle).
// getBuiltinModule, not `import`: an ES module import of node:fs loads its streams too (see run-bundle.js).
const { statSync } = process.getBuiltinModule('node:fs');

const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? 0;
const bundle = mtime('../dist/bundle/wharf-admin.cjs');
const lastTsc = Math.max(
  mtime('../tsconfig.tsbuildinfo'),
  mtime('../../client/tsconfig.tsbuildinfo'),
  mtime('../../schemas/tsconfig.tsbuildinfo'),
);
if (bundle > 0 && bundle >= lastTsc)
  await (await import('@wharf/client/run-bundle')).runBundle(
    new URL('../dist/bundle/wharf-admin.cjs', import.meta.url),
  );
else await import('../dist/cli/entry.js');
