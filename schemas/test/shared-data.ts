// The WXAUTO-MGT and Extism-demo samples live outside the repo (../shared/data, licence unclear: local test
// fixtures only), so tests that need them skip when the directory is absent.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SHARED_DATA =
  process.env.WHARF_SHARED_DATA ?? fileURLToPath(new URL('../../../shared/data/', import.meta.url));
export const hasSharedData = existsSync(`${SHARED_DATA}/wxauto/registry.json`);

export function readShared(path: string): unknown {
  return JSON.parse(readFileSync(`${SHARED_DATA}/${path}`, 'utf8'));
}

export function sharedJsonFiles(dir: string): string[] {
  if (!hasSharedData) return [];
  return readdirSync(`${SHARED_DATA}/${dir}`)
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${dir}/${f}`);
}
