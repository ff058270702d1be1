export { forgeRepoRef, releasesApiUrl, toWharfId } from './legacy-values.js';
export * from './manifest.js';
export * from './registry.js';
export * from './wxauto-permissions.js';
