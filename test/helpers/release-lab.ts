import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signFile, WharfClient } from '@wharf/client';
import type { Manifest, Permissions, Registry } from '@wharf/schemas';
import {
  addReleaseFromFiles,
  initRegistry,
  listPluginIds,
  migrateToSharded,
  openRegistryEdit,
  publishRegistry,
  readRegistry,
  type StaticServer,
  startStaticServer,
  writeRegistry,
} from '@wharf/tools';
import { encodeUleb } from '../../client/src/run/cap-memory.js';
import { EXAMPLES, tempDir } from './demo.js';

export interface LabRelease {
  id: string;
  version: string;
  permissions?: Permissions;
  dependencies?: Record<string, string>;
  /** Extra bytes in the custom section, to make a big artifact. */
  padding?: number;
  /** Serve the artifact from here instead of the lab server (e.g. a throttled server over the same dir). */
  urlBase?: string;
  /** Several artifact URLs, tried in order (each a base like urlBase); overrides urlBase. */
  urlBases?: string[];
  /** Sign with this minisign key instead of the example key (its public key goes into plugin.json). */
  key?: { secretKeyPath: string; publicKey: string };
}

/**
 * A real signed registry whose releases a test writes one by one: each is the count-vowels module with a custom
 * section naming id@version (so every release has its own sha256), signed with the example key and served on
 * 127.0.0.1 with its artifact.
 */
export interface ReleaseLab {
  root: string;
  registryDir: string;
  artifacts: string;
  server: StaticServer;
  rootSha256: string;
  /** The TUF role keys (root, targets, snapshot, timestamp), beside the registry as `registry init` puts them. */
  keysDir: string;
  add(r: LabRelease): Promise<void>;
  edit(fn: (reg: Registry) => void): Promise<void>;
  publish(): Promise<void>;
  /** A client with a fresh home and this registry as source `lab`. */
  client(home?: string): Promise<WharfClient>;
  close(): Promise<void>;
}

const BASE_WASM = () => readFileSync(join(EXAMPLES, 'count-vowels', 'plugin.wasm'));
const BASE_MANIFEST = () => JSON.parse(readFileSync(join(EXAMPLES, 'count-vowels', 'plugin.json'), 'utf8')) as Manifest;

const leb = (n: number) => Buffer.from(encodeUleb(n));

/** A WASM custom section: id 0, size, name, payload. Valid anywhere after the header, ignored by the runtime. */
export function withCustomSection(wasm: Uint8Array, name: string, payload = ''): Uint8Array {
  const body = Buffer.concat([leb(Buffer.byteLength(name)), Buffer.from(name), Buffer.from(payload)]);
  return Buffer.concat([wasm, Buffer.from([0]), leb(body.length), body]);
}

/** test/sharded/*-sharded.test.ts run threat files again with labs in the sharded layout (DESIGN §3 "At scale"). */
const SHARDED = process.env.WHARF_TEST_LAYOUT === 'sharded';

export async function createLab(): Promise<ReleaseLab> {
  const root = tempDir('lab');
  const registryDir = join(root, 'registry');
  const artifacts = join(root, 'artifacts');
  mkdirSync(artifacts);
  const init = await initRegistry(registryDir, { name: 'lab' });
  if (SHARDED) await migrateToSharded(registryDir, { keysDir: init.keysDir, bitLength: 2 });
  const server = await startStaticServer(registryDir, { port: 0, mounts: { '/artifacts/': artifacts } });
  const clients: WharfClient[] = [];
  const lab: ReleaseLab = {
    root,
    registryDir,
    artifacts,
    server,
    rootSha256: init.rootSha256,
    keysDir: init.keysDir,
    async add(r) {
      const dir = join(artifacts, `${r.id}-${r.version}`);
      mkdirSync(dir, { recursive: true });
      const wasm = join(dir, 'plugin.wasm');
      writeFileSync(
        wasm,
        withCustomSection(BASE_WASM(), 'wharf-lab', `${r.id}@${r.version}`.padEnd(r.padding ?? 0, '.')),
      );
      const m: Manifest = {
        ...BASE_MANIFEST(),
        id: r.id,
        name: r.id,
        version: r.version,
        permissions: r.permissions ?? { justifications: {} },
        ...(r.dependencies ? { dependencies: r.dependencies } : {}),
        ...(r.key ? { signing_key: r.key.publicKey } : {}),
      };
      writeFileSync(join(dir, 'plugin.json'), JSON.stringify(m));
      const secretKeyPath = r.key?.secretKeyPath ?? join(EXAMPLES, 'keys', 'example.key');
      signFile(wasm, { id: r.id, version: r.version, secretKeyPath });
      const bases = r.urlBases ?? [r.urlBase ?? `${server.url}/artifacts`];
      await addReleaseFromFiles(registryDir, {
        manifestPath: join(dir, 'plugin.json'),
        wasmPath: wasm,
        sigPath: `${wasm}.minisig`,
        urls: bases.map((b) => `${b}/${r.id}-${r.version}/plugin.wasm`),
      });
    },
    async edit(fn) {
      if (SHARDED) {
        const edit = await openRegistryEdit(registryDir, await listPluginIds(registryDir));
        fn(edit.registry);
        await edit.save(edit.registry, { keysDir: init.keysDir });
        return;
      }
      const { registry } = await readRegistry(registryDir);
      fn(registry);
      await writeRegistry(registryDir, registry);
    },
    async publish() {
      await publishRegistry(registryDir, { keysDir: init.keysDir });
    },
    async client(home = join(root, `home-${clients.length}`)) {
      const c = new WharfClient({ home });
      if (!c.sources().sources.some((s) => s.alias === 'lab'))
        await c.addSource({ alias: 'lab', url: server.url, rootSha256: init.rootSha256 });
      await c.refresh();
      clients.push(c);
      return c;
    },
    async close() {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return lab;
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
