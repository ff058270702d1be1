import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJson, type Registry, WharfError } from '@wharf/schemas';
import { writeFileAtomic } from '../fs/atomic-write.js';

export function registryPath(registryDir: string): string {
  return join(registryDir, 'registry.json');
}

/** Stable formatting so diffs in Git stay reviewable and identical input gives identical bytes. */
export function serializeRegistry(registry: Registry): string {
  return `${JSON.stringify(registry, null, 2)}\n`;
}

export async function readRegistry(registryDir: string): Promise<{ registry: Registry; bytes: Buffer }> {
  const p = registryPath(registryDir);
  let bytes: Buffer;
  try {
    bytes = await readFile(p);
  } catch (e) {
    throw new WharfError('E_IO', `cannot read ${p}: ${(e as Error).message}`, { path: p });
  }
  return { registry: parseJson(bytes.toString('utf8'), p) as Registry, bytes };
}

export async function writeRegistry(registryDir: string, registry: Registry): Promise<void> {
  await writeFileAtomic(registryPath(registryDir), serializeRegistry(registry));
}
