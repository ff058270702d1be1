// `npm start`: a signed local registry of the example plugins, served on loopback. Rebuilt and re-signed on every
// start (committed metadata expires within a week, DESIGN §3), but the root and keys are kept across starts so a
// `wharf source add` made earlier stays valid.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addReleaseFromFiles } from './registry/add-release.js';
import { emptyRegistry, initRegistry } from './registry/init.js';
import { writeRegistry } from './registry/store.js';
import { type StaticServer, startStaticServer } from './serve/static-server.js';
import { defaultKeysDir } from './tuf/keys.js';
import { publishRegistry } from './tuf/publish.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const examplesDir = join(repoRoot, 'examples');
const registryDir = join(repoRoot, '.wharf-demo', 'registry');
const EXAMPLES = ['count-vowels', 'greet', 'word-stats'];

async function listen(port: number): Promise<StaticServer> {
  const mounts = { '/artifacts/': examplesDir };
  try {
    return await startStaticServer(registryDir, { port, host: '127.0.0.1', mounts });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    console.warn(`port ${port} is busy; using a random port`);
    return startStaticServer(registryDir, { port: 0, host: '127.0.0.1', mounts });
  }
}

async function main(): Promise<void> {
  const keysDir = defaultKeysDir(registryDir);
  if (!existsSync(join(registryDir, 'metadata', '1.root.json')) || !existsSync(keysDir)) {
    await initRegistry(registryDir, { name: 'Wharf demo registry' });
  }
  // Serve first: artifact URLs carry the port, and files are read per request, so later writes are picked up.
  const server = await listen(Number(process.env.WHARF_PORT ?? 8080));
  await writeRegistry(registryDir, emptyRegistry('Wharf demo registry', new Date()));
  for (const name of EXAMPLES) {
    const dir = join(examplesDir, name);
    await addReleaseFromFiles(registryDir, {
      manifestPath: join(dir, 'plugin.json'),
      wasmPath: join(dir, 'plugin.wasm'),
      sigPath: join(dir, 'plugin.wasm.minisig'),
      urls: [`${server.url}/artifacts/${name}/plugin.wasm`],
    });
  }
  const published = await publishRegistry(registryDir, { keysDir });
  const rootSha256 = createHash('sha256')
    .update(await readFile(join(registryDir, 'metadata', '1.root.json')))
    .digest('hex');
  console.log(
    `Wharf demo registry (${EXAMPLES.length} plugins, targets v${published.targetsVersion}) at ${server.url}/`,
  );
  console.log(`  wharf source add demo ${server.url} --root-sha256 ${rootSha256}`);
  console.log('Ctrl-C to stop.');
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  const err = e as { code?: string; message?: string };
  console.error(`${err.code ?? 'E_IO'}: ${err.message ?? String(e)}`);
  process.exitCode = 1;
});
