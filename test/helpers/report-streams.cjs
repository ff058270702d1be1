// Preload for cli-start.test.ts: reports at exit whether this process loaded Node's stream machinery (what creating
// process.stdout or process.stderr does for a file, /dev/null or a terminal).
'use strict';
process.on('exit', () => {
  const loaded = process.moduleLoadList.some((m) => m === 'NativeModule stream');
  require('node:fs').writeSync(2, loaded ? 'streams loaded\n' : 'streams not loaded\n');
});
