// Import for its effect, before anything that loads @extism/extism: Extism's Node build loads node:wasi, which
// prints an ExperimentalWarning on every start. For a CLI's users it is noise; every other warning still shows.
const emitWarning = process.emitWarning;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const first = rest[0] as string | { type?: string } | undefined;
  const type = typeof first === 'string' ? first : first?.type;
  if (type === 'ExperimentalWarning' && String(warning).includes('WASI')) return;
  return (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
}) as typeof process.emitWarning;
