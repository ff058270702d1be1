#!/usr/bin/env node
// The bundled CLI (dist/bundle/, made by `npm run build`) starts several times faster than tsc's hundreds of
// modules. In a checkout where `tsc -b` rebuilt something after the bundle was made, the bundle is old code:
// then the modules tsc just wrote run instead.
import { statSync } from 'node:fs';

const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? 0;
const bundle = mtime('../dist/bundle/wharf.mjs');
const lastTsc = Math.max(mtime('../tsconfig.tsbuildinfo'), mtime('../../schemas/tsconfig.tsbuildinfo'));
await import(bundle > 0 && bundle >= lastTsc ? '../dist/bundle/wharf.mjs' : '../dist/cli/entry.js');
