import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Manifest, signFile, writeKeyPair } from '@wharf/client';
import {
  addReleaseFromFiles,
  defaultKeysDir,
  initRegistry,
  publishRegistry,
  type StaticServer,
  startStaticServer,
} from '@wharf/tools';
import { INPUT_BLOCK } from '../../client/test/run/wat-plugins.js';
import { wat as wat2wasm } from '../../client/test/scan/wasm-fixtures.js';
import { tempDir } from '../helpers/demo.js';

export { wat2wasm };

/** A signed registry on 127.0.0.1 that tests publish plugin versions into, as a maintainer would. */
export interface LocalRegistry {
  url: string;
  rootSha256: string;
  publicKey: string;
  publish(m: Manifest, wasm: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export async function localRegistry(): Promise<LocalRegistry> {
  const root = tempDir('hostreg');
  const regDir = join(root, 'registry');
  const artifacts = join(root, 'artifacts');
  mkdirSync(artifacts);
  mkdirSync(join(root, 'keys'));
  const key = writeKeyPair(join(root, 'keys'));
  const publicKey = (readFileSync(key.publicKeyPath, 'utf8').split('\n')[1] ?? '').trim();
  const init = await initRegistry(regDir);
  const server: StaticServer = await startStaticServer(regDir, { port: 0, mounts: { '/artifacts/': artifacts } });
  return {
    url: server.url,
    rootSha256: init.rootSha256,
    publicKey,
    async publish(m, wasm) {
      const dir = join(artifacts, m.id, m.version);
      mkdirSync(dir, { recursive: true });
      const wasmPath = join(dir, 'plugin.wasm');
      writeFileSync(wasmPath, wasm);
      signFile(wasmPath, { id: m.id, version: m.version, secretKeyPath: key.secretKeyPath });
      const manifestPath = join(dir, 'plugin.json');
      writeFileSync(manifestPath, JSON.stringify({ ...m, signing_key: publicKey }));
      await addReleaseFromFiles(regDir, {
        manifestPath,
        wasmPath,
        sigPath: `${wasmPath}.minisig`,
        urls: [`${server.url}/artifacts/${m.id}/${m.version}/plugin.wasm`],
      });
      await publishRegistry(regDir, { keysDir: defaultKeysDir(regDir) });
    },
    async close() {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const KERNEL = `
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))`;

/**
 * Export `tag`: outputs `<prefix><input>`. Input starting with "!" traps (unreachable); with "~" it first calls
 * the host function `gate`, which a test can hold open to keep a call in flight for as long as it needs.
 */
export function tagPluginWat(prefix: string): string {
  const p = Buffer.from(prefix);
  return `(module ${KERNEL}
  (import "extism:host/user" "gate" (func $gate (param i64) (result i64)))
  (memory 1 1)
  (data (i32.const 0) "${prefix}")
  (func (export "tag") (result i32)
    (local $len i64) (local $i i64) (local $out i64) (local $first i32)
    (local.set $len (call $input_length))
    (if (i64.gt_u (local.get $len) (i64.const 0))
      (then
        (local.set $first (call $input_load_u8 (i64.const 0)))
        (if (i32.eq (local.get $first) (i32.const 0x21)) (then unreachable))
        (if (i32.eq (local.get $first) (i32.const 0x7e)) (then (drop (call $gate (i64.const 0)))))))
    (local.set $out (call $alloc (i64.add (i64.const ${p.length}) (local.get $len))))
    (block $d1 (loop $l1
      (br_if $d1 (i64.ge_u (local.get $i) (i64.const ${p.length})))
      (call $store_u8 (i64.add (local.get $out) (local.get $i)) (i32.load8_u (i32.wrap_i64 (local.get $i))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $l1)))
    (local.set $i (i64.const 0))
    (block $d2 (loop $l2
      (br_if $d2 (i64.ge_u (local.get $i) (local.get $len)))
      (call $store_u8 (i64.add (local.get $out) (i64.add (i64.const ${p.length}) (local.get $i))) (call $input_load_u8 (local.get $i)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $l2)))
    (call $output_set (local.get $out) (i64.add (i64.const ${p.length}) (local.get $len)))
    (i32.const 0)))`;
}

/** Export `shout`: copies its input into a block, passes it to the host function `upper`, outputs the result. */
export function hostFnPluginWat(): string {
  return `(module ${KERNEL}
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/user" "upper" (func $upper (param i64) (result i64)))
  (memory 1 1)
  ${INPUT_BLOCK}
  (func (export "shout") (result i32)
    (local $res i64)
    (local.set $res (call $upper (call $input_block)))
    (call $output_set (local.get $res) (call $length (local.get $res)))
    (i32.const 0)))`;
}

/** Permissions of a tag plugin: it imports the `gate` host function. */
export const TAG_PERMISSIONS: Manifest['permissions'] = {
  host_functions: ['gate'],
  justifications: { host_functions: 'waits on the host (tests hold calls in flight with it)' },
};

export function manifestFor(
  id: string,
  version: string,
  exportName: string,
  permissions: Manifest['permissions'] = {},
): Manifest {
  return {
    id,
    name: id,
    version,
    description: `${id} test plugin`,
    author: { name: 'Test', github: 'test' },
    license: 'MIT',
    homepage: `https://github.com/test/${id}`,
    repository: `https://github.com/test/${id}`,
    category: 'utility',
    tags: ['test'],
    wasm: 'plugin.wasm',
    exports: [{ name: exportName }],
    permissions,
    compatibility: { host: '>=0.1.0', extism_abi: '1' },
  };
}
