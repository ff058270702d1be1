#!/usr/bin/env node
await import('@wharf/client/quiet-wasi-warning');
const { main } = await import('../dist/cli/main.js');
await main(process.argv);
