#!/usr/bin/env node
// The same as wharf-admin.cjs (the package's "bin"), for scripts and tests that run bin/wharf-admin.js by path.
import './wharf-admin.cjs';
