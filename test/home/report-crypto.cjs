// Preload for cache-stamp.test.ts: reports at exit whether this process loaded node:crypto.
'use strict';
process.on('exit', () => {
  const loaded = process.moduleLoadList.some((m) => m === 'NativeModule crypto');
  require('node:fs').writeSync(2, loaded ? 'crypto loaded\n' : 'crypto not loaded\n');
});
