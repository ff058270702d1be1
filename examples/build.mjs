#!/usr/bin/env node
// Builds and signs the example plugins: examples/<name>/plugin.wasm and plugin.wasm.minisig.
// Run by `npm run build -w examples` (and so by the root build, start and test scripts).
//
//   node examples/build.mjs [--force]
//
// Incremental: a plugin is recompiled only when its sources or compile flags change
// (stamp in <name>/build/), and re-signed only when its .minisig does not already bind
// the current id, version and sha256 under the example key.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const force = process.argv.includes('--force');

const KEY = join(here, 'keys/example.key');
const PUB = join(here, 'keys/example.pub');

// asc flags. --use abort=… keeps env.abort out of the imports (Extism hosts don't
// provide it); a stub runtime and -Oz keep the module tiny; a declared maximum
// memory lets hosts rely on memory.grow failing (DESIGN §10). 160 pages = 10 MiB.
const ASC_FLAGS = ['--runtime', 'stub', '-Oz', '--noAssert', '--maximumMemory', '160', '--use', 'abort=index/abort'];

/** @type {{ name: string, kind: 'wat' | 'as', source: string }[]} */
export const PLUGINS = [
  { name: 'count-vowels', kind: 'wat', source: 'plugin.wat' },
  { name: 'greet', kind: 'wat', source: 'plugin.wat' },
  { name: 'word-stats', kind: 'as', source: 'index.ts' },
];

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

let wabt; // loaded on first WAT compile only, so a fully cached build stays fast
async function compileWat(dir, source) {
  wabt ??= await (await import('wabt')).default();
  const mod = wabt.parseWat(source, readFileSync(join(dir, source), 'utf8'));
  try {
    mod.validate();
    return Buffer.from(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

function compileAs(dir, source, out) {
  // cwd = the plugin dir, so `abort=index/abort` names index.ts's abort function.
  execFileSync(join(root, 'node_modules/.bin/asc'), [source, '-o', out, ...ASC_FLAGS], { cwd: dir, stdio: 'inherit' });
  return readFileSync(out);
}

// The example key's id as it appears in bytes 2..10 of a minisign key or signature blob.
const keyId = (base64Line) => Buffer.from(base64Line, 'base64').subarray(2, 10).toString('hex');
const pubKeyId = keyId(readFileSync(PUB, 'utf8').split('\n')[1].trim());

/** True when sigPath is a signature by the example key with exactly this trusted comment. */
function sigIsCurrent(sigPath, comment) {
  if (!existsSync(sigPath)) return false;
  const lines = readFileSync(sigPath, 'utf8').split('\n');
  return keyId(lines[1] ?? '') === pubKeyId && lines[2] === `trusted comment: ${comment}`;
}

// Prefer the client's signer (the same code `wharf sign` uses); fall back to the minisign
// CLI while client/dist is not built yet, so this workspace doesn't depend on build order.
async function loadSigner() {
  const clientSigning = join(root, 'client/dist/signing/index.js');
  if (existsSync(clientSigning)) {
    const mod = await import(pathToFileURL(clientSigning).href);
    if (typeof mod.signFile === 'function') {
      return {
        label: '@wharf/client signFile (client/dist/signing)',
        sign: async (wasmPath, id, version) => {
          await mod.signFile(wasmPath, { id, version, secretKeyPath: KEY, out: `${wasmPath}.minisig` });
        },
      };
    }
  }
  return {
    label: 'minisign CLI (client/dist/signing not built)',
    sign: async (wasmPath, id, version, hex) => {
      execFileSync(
        'minisign',
        [
          '-S',
          '-s',
          KEY,
          '-m',
          wasmPath,
          '-x',
          `${wasmPath}.minisig`,
          '-t',
          `wharf1 id=${id} version=${version} sha256=${hex}`,
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
    },
  };
}

async function main() {
  const started = performance.now();
  let signer; // loaded lazily: nothing to sign means nothing to import
  for (const { name, kind, source } of PLUGINS) {
    const dir = join(here, name);
    const wasmPath = join(dir, 'plugin.wasm');
    const stampPath = join(dir, 'build/stamp.json');
    const manifest = JSON.parse(readFileSync(join(dir, 'plugin.json'), 'utf8'));

    // Inputs that decide the bytes: the source and (for AS) the flags and pdk version.
    const inputs = [readFileSync(join(dir, source))];
    if (kind === 'as')
      inputs.push(ASC_FLAGS.join(' '), readFileSync(join(root, 'node_modules/@extism/as-pdk/package.json')));
    const inputHash = sha256(Buffer.concat(inputs.map((x) => Buffer.from(x))));

    let bytes = existsSync(wasmPath) ? readFileSync(wasmPath) : null;
    const stamp = existsSync(stampPath) ? JSON.parse(readFileSync(stampPath, 'utf8')) : {};
    const fresh = !force && bytes !== null && stamp.inputHash === inputHash && stamp.sha256 === sha256(bytes);
    if (!fresh) {
      mkdirSync(dirname(stampPath), { recursive: true });
      bytes = kind === 'wat' ? await compileWat(dir, source) : compileAs(dir, source, wasmPath);
      writeFileSync(wasmPath, bytes);
      writeFileSync(stampPath, `${JSON.stringify({ inputHash, sha256: sha256(bytes) }, null, 2)}\n`);
    }
    const hex = sha256(bytes);

    const comment = `wharf1 id=${manifest.id} version=${manifest.version} sha256=${hex}`;
    const sigPath = `${wasmPath}.minisig`;
    let signed = 'sig cached';
    if (force || !sigIsCurrent(sigPath, comment)) {
      if (!signer) {
        signer = await loadSigner();
        console.log(`signing with ${signer.label}`);
      }
      await signer.sign(wasmPath, manifest.id, manifest.version, hex);
      if (!sigIsCurrent(sigPath, comment)) throw new Error(`${name}: signer wrote an unexpected ${sigPath}`);
      signed = 'signed';
    }
    console.log(
      `${name.padEnd(13)} ${String(bytes.length).padStart(6)} B  sha256 ${hex.slice(0, 12)}  ${fresh ? 'cached' : 'built'}, ${signed}`,
    );
  }
  console.log(`examples built in ${Math.round(performance.now() - started)} ms`);
}

// Importable (for PLUGINS) without building.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
