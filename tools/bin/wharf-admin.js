#!/usr/bin/env node
// Extism's Node build loads node:wasi, which warns on every start; the warning is noise for CLI users.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'ExperimentalWarning' && String(warning).includes('WASI')) return;
  return emitWarning.call(process, warning, ...rest);
};
const { main } = await import('../dist/cli/main.js');
await main(process.argv);
