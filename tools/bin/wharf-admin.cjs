#!/usr/bin/env node
// The `wharf-admin` command (package.json "bin"). CommonJS, as client/bin/wharf.cjs says why.
// The bundled CLI (dist/bundle/wharf-admin.cjs and its code cache, made by `npm run build`), unless `tsc -b`
// rebuilt tools, client or schemas after it was made: then it is old code, and the modules tsc just wrote run
// instead.
'use strict';
const { statSync } = require('node:fs');
const { join } = require('node:path');

const mtime = (rel) => statSync(join(__dirname, rel), { throwIfNoEntry: false })?.mtimeMs ?? 0;
const bundle = mtime('../dist/bundle/wharf-admin.cjs');
const lastTsc = Math.max(
  mtime('../tsconfig.tsbuildinfo'),
  mtime('../../client/tsconfig.tsbuildinfo'),
  mtime('../../schemas/tsconfig.tsbuildinfo'),
);
// The loader is the copy the build put beside the bundle: resolving @wharf/client/run-bundle costs a start ~1.5 ms.
if (bundle > 0 && bundle >= lastTsc)
  require('../dist/bundle/run-bundle.cjs').runBundle(join(__dirname, '../dist/bundle/wharf-admin.cjs'));
else import('../dist/cli/entry.js');
