#!/usr/bin/env node
await import('../dist/quiet-wasi-warning.js');
const { main } = await import('../dist/cli/main.js');
await main(process.argv);
