#!/usr/bin/env node
// The bundled CLI (dist/bundle/, made by `npm run build`), unless `tsc -b` rebuilt tools, client or schemas after
// it was made: then it is old code, and the modules tsc just wrote run instead (as in client/bin/wharf.js).
import { statSync } from 'node:fs';

const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? 0;
const bundle = mtime('../dist/bundle/wharf-admin.mjs');
const lastTsc = Math.max(
  mtime('../tsconfig.tsbuildinfo'),
  mtime('../../client/tsconfig.tsbuildinfo'),
  mtime('../../schemas/tsconfig.tsbuildinfo'),
);
await import(bundle > 0 && bundle >= lastTsc ? '../dist/bundle/wharf-admin.mjs' : '../dist/cli/entry.js');
