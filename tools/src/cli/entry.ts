// The `wharf-admin` process: bin/wharf-admin.js runs this, bundled (dist/bundle/wharf-admin.cjs) or as tsc left it.
// The WASI warning filter goes in first; the CLI is imported after it, so nothing can load @extism/extism before
// (an ES module's static imports are all loaded, node:wasi included, before any of them runs). No top-level
// await: the bundle is a CommonJS script (client/scripts/bundle-cli.mjs).
import '@wharf/client/quiet-wasi-warning';

/** Settles when the command is done (the bundle's loader awaits it; so does the code-cache build). */
export const done: Promise<unknown> = import('./main.js').then(({ main }) => main(process.argv));
