// Types for the part of registry-gen.mjs the tests use.
import type { Registry } from '@wharf/schemas';

/** `count` synthetic plugins; about 10% have Chinese names and descriptions. */
export function syntheticRegistry(count: number, seed?: number): Registry;
export function obsidianRegistry(): Registry;
