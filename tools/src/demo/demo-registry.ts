import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { addReleaseFromFiles } from '../registry/add-release.js';
import { emptyRegistry, initRegistry } from '../registry/init.js';
import { writeRegistry } from '../registry/store.js';
import { defaultKeysDir } from '../tuf/keys.js';
import { type PublishResult, publishRegistry } from '../tuf/publish.js';
import { inputStamp, readStamp, writeStamp } from './input-stamp.js';

export interface DemoRegistryOptions {
  /** The registry dir to create (must not exist or be empty); keys go beside it. */
  dir: string;
  /** examples/ with one folder per plugin holding plugin.json, plugin.wasm and plugin.wasm.minisig. */
  examplesDir: string;
  /** Where the examples dir is served: artifact URLs are `<base>/<folder>/plugin.wasm`. */
  artifactBaseUrl: string;
  /** Only these example folders (default: every folder with a built, signed plugin). */
  only?: string[];
  /**
   * Keep an existing root and keys (so a `wharf source add` made earlier stays valid) and re-sign. With the same
   * examples and artifact URL as last time, registry.json is kept as it was (its dates too), so whatever is built
   * from it (the demo site) can tell that nothing changed.
   */
  reuseKeys?: boolean;
}

export interface DemoRegistry {
  registryDir: string;
  keysDir: string;
  rootSha256: string;
  publish: PublishResult;
  plugins: Array<{ folder: string; id: string; version: string }>;
}

/** The example folders that are ready to publish: manifest, wasm and signature present. */
export function builtExamples(examplesDir: string): string[] {
  return readdirSync(examplesDir, { withFileTypes: true })
    .filter(
      (d) =>
        d.isDirectory() &&
        ['plugin.json', 'plugin.wasm', 'plugin.wasm.minisig'].every((f) => existsSync(join(examplesDir, d.name, f))),
    )
    .map((d) => d.name)
    .sort();
}

/**
 * A signed registry holding the example plugins, made fresh each time: committed TUF metadata expires within
 * a week (DESIGN §3), so `npm start` and the tests sign their own.
 */
export async function buildDemoRegistry(opts: DemoRegistryOptions): Promise<DemoRegistry> {
  const examplesDir = resolve(opts.examplesDir);
  const registryDir = resolve(opts.dir);
  const keysDir = defaultKeysDir(registryDir);
  const rootFile = join(registryDir, 'metadata', '1.root.json');
  const folders = opts.only ?? builtExamples(examplesDir);
  const reuse = Boolean(opts.reuseKeys && existsSync(rootFile) && existsSync(keysDir));
  // registry.json is made from these alone (the root and keys are kept when reusing).
  const stampFile = `${registryDir}.inputs.sha256`;
  const stamp = () =>
    inputStamp([
      { value: JSON.stringify({ artifactBaseUrl: opts.artifactBaseUrl, folders }) },
      { file: rootFile },
      ...folders.flatMap((f) =>
        ['plugin.json', 'plugin.wasm', 'plugin.wasm.minisig'].map((n) => ({ file: join(examplesDir, f, n) })),
      ),
    ]);
  const unchanged = reuse && readStamp(stampFile) === stamp() && existsSync(join(registryDir, 'registry.json'));
  if (!unchanged) {
    if (reuse) await writeRegistry(registryDir, emptyRegistry('Wharf demo registry', new Date()));
    else await initRegistry(registryDir, { name: 'Wharf demo registry', keysDir });
  }
  const rootSha256 = createHash('sha256').update(readFileSync(rootFile)).digest('hex');
  const plugins: DemoRegistry['plugins'] = [];
  for (const folder of folders) {
    const base = join(examplesDir, folder);
    const manifest = JSON.parse(readFileSync(join(base, 'plugin.json'), 'utf8')) as { id: string; version: string };
    plugins.push({ folder, id: manifest.id, version: manifest.version });
    if (unchanged) continue;
    await addReleaseFromFiles(registryDir, {
      manifestPath: join(base, 'plugin.json'),
      wasmPath: join(base, 'plugin.wasm'),
      sigPath: join(base, 'plugin.wasm.minisig'),
      urls: [`${opts.artifactBaseUrl.replace(/\/+$/, '')}/${folder}/plugin.wasm`],
    });
  }
  // Signed afresh every time: the TUF metadata expires within a week even when registry.json is the same.
  const publish = await publishRegistry(registryDir, { keysDir });
  if (opts.reuseKeys) writeStamp(stampFile, stamp());
  return { registryDir, keysDir, rootSha256, publish, plugins };
}
