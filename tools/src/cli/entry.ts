// The `wharf-admin` process: bin/wharf-admin.js runs this, bundled (dist/bundle/wharf-admin.mjs) or as tsc left it.
// The WASI warning filter goes in first; the CLI is imported after it, so nothing can load @extism/extism before.
import '@wharf/client/quiet-wasi-warning';

const { main } = await import('./main.js');

await main(process.argv);
