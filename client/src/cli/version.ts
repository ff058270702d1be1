import { writeOut } from './std-write.js';

/** The CLI's version, as `wharf --version` prints it (the client package's version). */
export const VERSION = '0.1.0';

/**
 * `wharf --version` and `wharf --json --version` answered before commander and the command modules are loaded:
 * they are a sixth of a start's own time, and these are the only arguments this looks at. Anything else, `-V` or
 * `--version` beside other arguments included, goes to commander (main.ts), which prints the same.
 */
export function versionOnly(argv: string[]): boolean {
  const args = argv.slice(2);
  const json = args.length === 2 && args.includes('--json');
  if (!(args.length === 1 || json) || !(args.includes('--version') || args.includes('-V'))) return false;
  writeOut(json ? `${JSON.stringify({ version: VERSION }, null, 2)}\n` : `${VERSION}\n`);
  return true;
}
