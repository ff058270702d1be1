// The install bench's fixture, shared by run.mjs and phases.mjs: a real plugin (count-vowels) padded to 10 MB with a
// custom section, as debug info pads real builds (§10), signed, in a demo registry served by a child process, and
// a template home with the source added and refreshed.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeUleb } from '../../client/dist/run/cap-memory.js';
import { serveInChild } from '../serve-in-child.mjs';

export const SIZE = 10 * 1024 * 1024;
export const repo = resolve(import.meta.dirname, '..', '..');

const leb = (n) => Buffer.from(encodeUleb(n));

/** Builds the fixture under a fresh temp root; the caller closes `server` and removes `root`. */
export async function installFixture() {
  const { signFile, WharfClient } = await import('@wharf/client');
  const { buildDemoRegistry } = await import('@wharf/tools');
  const root = mkdtempSync(join(tmpdir(), 'wharf-bench-install-'));
  const fx = { root, server: undefined };
  const ex = join(root, 'examples');
  cpSync(join(repo, 'examples', 'count-vowels'), join(ex, 'big'), { recursive: true });
  const wasmPath = join(ex, 'big', 'plugin.wasm');
  const small = readFileSync(wasmPath);
  const name = Buffer.from('bench.padding');
  const padLen = SIZE - small.length - 1 - 5 - 1 - name.length;
  const payload = Buffer.concat([leb(name.length), name, Buffer.alloc(padLen, 0xab)]);
  writeFileSync(wasmPath, Buffer.concat([small, Buffer.from([0]), leb(payload.length), payload]));
  const manifest = JSON.parse(readFileSync(join(ex, 'big', 'plugin.json'), 'utf8'));
  signFile(wasmPath, {
    id: manifest.id,
    version: manifest.version,
    secretKeyPath: join(repo, 'examples', 'keys', 'example.key'),
  });
  fx.size = readFileSync(wasmPath).length;
  fx.manifest = manifest;

  mkdirSync(join(root, 'registry'));
  // The server runs in its own process, so that it competes with neither curl nor the library for a thread.
  fx.server = await serveInChild(join(root, 'registry'), { '/artifacts/': ex });
  const reg = await buildDemoRegistry({
    dir: join(root, 'registry'),
    examplesDir: ex,
    artifactBaseUrl: `${fx.server.url}/artifacts`,
  });
  fx.url = `${fx.server.url}/artifacts/big/plugin.wasm`;
  fx.artifact = JSON.parse(
    readFileSync(join(reg.registryDir, 'registry.json'), 'utf8'),
  ).plugins[0].releases[0].artifact;

  // A home with the source added and refreshed; each run installs into a fresh copy (nothing cached).
  fx.template = join(root, 'template');
  const t = new WharfClient({ home: fx.template });
  await t.addSource({ alias: 'main', url: fx.server.url, rootFile: join(reg.registryDir, 'metadata', '1.root.json') });
  await t.refresh();
  let n = 0;
  fx.freshHome = () => {
    const h = join(root, `home-${n++}`);
    cpSync(fx.template, h, { recursive: true });
    return h;
  };
  return fx;
}
