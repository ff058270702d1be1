export * from '@wharf/schemas';
export { checkRelease, initProject, type PluginTestReport, submissionFormUrl, testProject } from './author/index.js';
export { type AddSourceInput, type ClientOptions, type RefreshReport, WharfClient } from './client.js';
export { cleanStaleTemps, TEMP_MARK, writeFileAtomic } from './fs/atomic-write.js';
export { defaultHome, type HomePaths, homePaths, openHome } from './home.js';
export {
  createHost,
  type HostEvents,
  type HostedPlugin,
  type HostOptions,
  type PluginHealth,
  PluginHost,
  type UpdatedEvent,
} from './host/host.js';
export { Catalog, type CatalogEntry, type PluginAddress, parseAddress } from './index/catalog.js';
export {
  DEFAULT_LIMITS,
  FetchFailure,
  type FetchLimits,
  fetchBytes,
  fetchChunks,
  type MirrorReason,
} from './index/http-fetch.js';
export { type IndexSnapshot, readCachedIndex } from './index/index-cache.js';
export {
  allMirrorsFailed,
  type MirrorFailure,
  type MirrorHealth,
  type RefreshOptions,
  refreshSource,
  testMirrors,
} from './index/refresh.js';
export { DEFAULT_HEDGE_DELAY_MS, MirrorFetcher } from './index/tuf-fetcher.js';
export { admitWasm } from './install/admit-wasm.js';
export { ArtifactCache } from './install/artifact-cache.js';
export { type InstallOptions, type InstallResult, installPlugin } from './install/install.js';
export { type LegacyRelease, resolveLegacyRelease, versionFromTag } from './legacy/github-releases.js';
export { type LegacyInfoView, type LegacyPermissionView, legacyInfo } from './legacy/wxauto-install.js';
export { type CatalogStats, catalogStats, type LegacySearchHit, searchWxauto } from './legacy/wxauto-search.js';
export { isLegacySnapshot, type LegacyInfo, type LegacySnapshot } from './legacy/wxauto-source.js';
export { readLockfile, writeLockfile } from './lockfile.js';
export { createWharfMcp, type McpOptions, serveMcpStdio, type WharfMcp } from './mcp/server.js';
export { type PluginTool, toolsFor } from './mcp/tools.js';
export { type LoadedPlugin, type LoadOptions, loadPlugin } from './run/load-plugin.js';
export {
  DEFAULT_POLICY,
  type HostFunction,
  type HostPolicy,
  openSandbox,
  type SandboxedPlugin,
  type SandboxInput,
} from './run/sandbox.js';
export * from './scan/scan-wasm.js';
export { type SearchFilters, type SearchHit, searchCatalog } from './search/search.js';
export * from './signing/index.js';
