// Types for search-core.js (plain JS so Node scripts can import it without a TypeScript loader).
import type { RegistryPlugin } from '@wharf/schemas';
import type { SearchOptions } from 'minisearch';

/** [id, name, name_zh, text, text_zh, category, tags, verified (0|1), downloads] */
export type DocRow = [string, string, string, string, string, string, string[], 0 | 1, number];
export interface Filters {
  category?: string;
  tag?: string;
  verified?: boolean;
}
export interface Results {
  total: number;
  rows: DocRow[];
}
export interface SearchIndexFile {
  v: number;
  docs: DocRow[];
  /** Words left out of this index because most entries have them; queries drop them too. */
  common?: string[];
  index: unknown;
}
export interface Engine {
  size: number;
  query(q: string, filters?: Filters, limit?: number): Results;
  /** For a query that matched nothing: the rows whose id or name is nearest it. */
  closest(q: string, limit?: number): DocRow[];
}

export const INDEX_VERSION: number;
export const SEARCH_OPTIONS: SearchOptions;
export function isCjk(term: string): boolean;
export function tokenize(text: string): string[];
export function buildSearchIndex(plugins: RegistryPlugin[]): SearchIndexFile;
export function createEngine(input: SearchIndexFile | string): Engine;
