export * from './categories.js';
export * from './detect.js';
export * from './document.js';
export * from './errors.js';
export * from './json-limits.js';
export * from './readers/index.js';
export * from './rules.js';
export type * from './types.js';
export * from './validate.js';
