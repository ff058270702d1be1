// The least a verifying client does for a no-change refresh, as a floor for `wharf refresh` (bench/scale):
// load Node's http and crypto, ask the mirror for the next root (a 404) and the timestamp, one after the other as
// TUF orders them, compare the timestamp with the trusted one and check its ed25519 signature against the trusted
// root. No home, no lock, no cache, no snapshot or targets check: what no Node CLI of this kind can skip.
// --no-signature: without crypto and the signature, as a client that recorded its last check of those same bytes
// (what `wharf refresh` does while its trust record holds, client/src/index/trust-record.ts).
//   node refresh-floor.cjs <mirror base URL> <trusted metadata dir> [--no-signature]
// CommonJS, like the bins: a start through Node's ES module loader costs ~5 ms more.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const http = require('node:http');

const [url, dir, flag] = process.argv.slice(2);
const signature = flag !== '--no-signature';
const base = url.replace(/\/+$/, '');
const get = (url) =>
  new Promise((ok, fail) => {
    http
      .get(url, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => ok({ status: res.statusCode, body: Buffer.concat(chunks) }));
      })
      .once('error', fail);
  });
// Ed25519 SPKI DER header: the raw 32-byte key follows it.
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');

(async () => {
  const root = JSON.parse(readFileSync(join(dir, 'root.json'), 'utf8')).signed;
  const next = await get(`${base}/metadata/${root.version + 1}.root.json`);
  if (next.status !== 404) throw new Error(`expected no next root, got ${next.status}`);
  const ts = await get(`${base}/metadata/timestamp.json`);
  if (!ts.body.equals(readFileSync(join(dir, 'timestamp.json')))) throw new Error('the timestamp changed');
  const meta = JSON.parse(ts.body.toString('utf8'));
  if (signature) verifyTimestamp(root, meta);
  if (Date.parse(meta.signed.expires) <= Date.now()) throw new Error('the timestamp expired');
})().catch((e) => {
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
});

function verifyTimestamp(root, meta) {
  const { createPublicKey, verify } = require('node:crypto');
  // @tufjs/models' own canonical JSON (what the signatures cover), resolved from it: not a dependency of the repo's.
  const { canonicalize } = require(
    require.resolve('@tufjs/canonical-json', {
      paths: [require.resolve('@tufjs/models', { paths: [join(__dirname, '../../client')] })],
    }),
  );
  const sig = meta.signatures[0];
  const key = createPublicKey({
    key: Buffer.concat([SPKI, Buffer.from(root.keys[sig.keyid].keyval.public, 'hex')]),
    format: 'der',
    type: 'spki',
  });
  if (!verify(null, Buffer.from(canonicalize(meta.signed)), key, Buffer.from(sig.sig, 'hex')))
    throw new Error('bad timestamp signature');
}
