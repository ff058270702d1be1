// The `wharf` process: bin/wharf.js runs this, bundled (dist/bundle/wharf.mjs) or as tsc left it (dist/cli/entry.js).
// The WASI warning filter goes in first; the CLI is imported after it, so nothing can load @extism/extism before.
import '../quiet-wasi-warning.js';

const [{ main }, { quietOnClosedPipe }] = await Promise.all([import('./main.js'), import('./output.js')]);
quietOnClosedPipe();

await main(process.argv);
