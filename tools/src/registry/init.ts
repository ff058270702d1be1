import { mkdir, readdir } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { DEFAULT_CATEGORIES, type Registry, WharfError } from '@wharf/schemas';
import { defaultKeysDir, generateRoleKeys, saveRoleKeys } from '../tuf/keys.js';
import { type PublishResult, publishRegistry } from '../tuf/publish.js';
import { addDays, buildRoot, EXPIRY_DAYS, sha256Hex, writeRootMetadata } from '../tuf/sign-metadata.js';
import { writeRegistry } from './store.js';

export interface InitOptions {
  keysDir?: string;
  name?: string;
  now?: Date;
}

export interface InitResult {
  registryDir: string;
  keysDir: string;
  /** Private key files written (mode 0600). */
  keyFiles: string[];
  rootPath: string;
  /** sha256 of the exact bytes of metadata/1.root.json: what `wharf source add --root-sha256` pins. */
  rootSha256: string;
  publish: PublishResult;
}

export function emptyRegistry(name: string, now: Date): Registry {
  return { schema_version: 1, name, last_updated: now.toISOString(), categories: [...DEFAULT_CATEGORIES], plugins: [] };
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A new registry with generated dev keys, signed and published once so it can be served right away. */
export async function initRegistry(dir: string, opts: InitOptions = {}): Promise<InitResult> {
  const registryDir = resolve(dir);
  const keysDir = resolve(opts.keysDir ?? defaultKeysDir(registryDir));
  const now = opts.now ?? new Date();
  if (isInside(keysDir, registryDir)) {
    // Everything under the registry dir is committed and served; a private key there is a published key.
    throw new WharfError('E_USAGE', `the keys dir ${keysDir} must be outside the registry dir ${registryDir}`);
  }
  const existing = await readdir(registryDir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw new WharfError('E_IO', `cannot read ${registryDir}: ${e.message}`);
  });
  if (existing.length > 0) {
    throw new WharfError('E_IO', `refusing to init: ${registryDir} exists and is not empty`, { path: registryDir });
  }

  const keys = generateRoleKeys();
  const keyFiles = await saveRoleKeys(keysDir, keys);
  await mkdir(registryDir, { recursive: true });
  await writeRegistry(registryDir, emptyRegistry(opts.name ?? 'Wharf registry', now));
  const root = await writeRootMetadata(
    registryDir,
    buildRoot(keys, { version: 1, expires: addDays(now, EXPIRY_DAYS.root) }),
  );
  const publish = await publishRegistry(registryDir, { keysDir, now });
  return { registryDir, keysDir, keyFiles, rootPath: root.path, rootSha256: sha256Hex(root.bytes), publish };
}
