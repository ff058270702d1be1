// The loader that runs a CLI bundle with its code cache, for the build and the other bins; its code is in
// bin/wharf.cjs, which the `wharf` bin runs without a second file to require.
//   node run-bundle.cjs --train <bundle.cjs> '<json array of argv arrays>' [<cache file>]
//   (the build: runs them, writes the cache; default <bundle.cjs>.cache)
'use strict';
const { runBundle, commandOf, cacheKeyOf, train } = require('./wharf.cjs');

module.exports = { runBundle, commandOf, cacheKeyOf };

if (require.main === module && process.argv[2] === '--train')
  train(process.argv[3], JSON.parse(process.argv[4]), process.argv[5]).catch((e) => {
    process.stderr.write(`${e?.stack ?? e}\n`);
    process.exitCode = 1;
  });
