#!/usr/bin/env node
// The same as wharf.cjs (the package's "bin"), for scripts and tests that run bin/wharf.js by path.
import { main } from './wharf.cjs';

main();
