// Real documents the fuzz tests start from: the examples and fixtures in this repo, and the WXAUTO-MGT and
// Extism-demo samples in ../shared/data when they are there (they are local test data, not shipped).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
const SHARED = process.env.WHARF_SHARED_DATA ?? join(REPO, '..', 'shared', 'data');

const json = (p: string): unknown => JSON.parse(readFileSync(p, 'utf8'));
const jsonFiles = (dir: string): unknown[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => json(join(dir, f)))
    : [];

export const nativeManifests: unknown[] = [
  ...['count-vowels', 'greet', 'word-stats'].map((n) => json(join(REPO, 'examples', n, 'plugin.json'))),
  json(join(REPO, 'schemas', 'test', 'fixtures', 'manifest.json')),
];
export const wxautoManifests: unknown[] = jsonFiles(join(SHARED, 'wxauto', 'plugin-manifests'));
export const extismxManifests: unknown[] = jsonFiles(join(SHARED, 'extismx'));

export const nativeRegistries: unknown[] = [
  json(join(REPO, 'schemas', 'test', 'fixtures', 'registry.json')),
  json(join(REPO, 'registry', 'registry.json')),
];
export const wxautoRegistries: unknown[] = existsSync(join(SHARED, 'wxauto', 'registry.json'))
  ? [json(join(SHARED, 'wxauto', 'registry.json'))]
  : [];

export const readText = (...p: string[]): string => readFileSync(join(REPO, ...p), 'utf8');
export const sharedText = (...p: string[]): string | undefined =>
  existsSync(join(SHARED, ...p)) ? readFileSync(join(SHARED, ...p), 'utf8') : undefined;
