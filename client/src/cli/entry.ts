// The `wharf` process: bin/wharf.js runs this, bundled (dist/bundle/wharf.cjs) or as tsc left it (dist/cli/entry.js).
// The WASI warning filter goes in first; the CLI is imported after it, so nothing can load @extism/extism before
// (an ES module's static imports are all loaded, node:wasi included, before any of them runs). No top-level
// await: the bundle is a CommonJS script (client/scripts/bundle-cli.mjs).
import '../quiet-wasi-warning.js';
import { prestartForArgv } from '../run/prestart.js';
import { versionOnly } from './version.js';

// A `wharf run`'s plugin worker boots while the rest of the CLI loads (run/prestart.ts); for anything else, nothing.
prestartForArgv(process.argv);

/** Settles when the command is done (the bundle's loader awaits it; so does the code-cache build). */
export const done: Promise<void> = versionOnly(process.argv)
  ? Promise.resolve()
  : Promise.all([import('./main.js'), import('./output.js')]).then(([{ main }, { quietOnClosedPipe }]) => {
      quietOnClosedPipe();
      return main(process.argv);
    });
