// @wharf/tools library API: what `wharf-admin`, `npm start` and (later) the review/publish bot share.

export { DEFAULT_CATEGORIES } from '@wharf/schemas';
export type { CliIo } from './cli/main.js';
export { main } from './cli/main.js';
export type { DemoRegistry, DemoRegistryOptions } from './demo/demo-registry.js';
export { buildDemoRegistry, builtExamples } from './demo/demo-registry.js';
export { type ServedDemo, serveDemoRegistry } from './demo/serve-demo.js';
export { writeFileAtomic } from './fs/atomic-write.js';
export { createGitHub, type GitHub, type GitHubOptions } from './github/octokit.js';
export { handleComment } from './publish-bot/approve.js';
export { applyLifecycle } from './publish-bot/lifecycle.js';
export { mirrorSync } from './publish-bot/mirror-sync.js';
export { publishSubmissions } from './publish-bot/publish-submissions.js';
export { exportWxauto, importWxauto } from './publish-bot/wxauto-format.js';
export type { AddFromFilesOptions, AddReleaseInput, AddReleaseOutcome } from './registry/add-release.js';
export {
  addRelease,
  addReleaseDetailed,
  addReleaseFromFiles,
  summarizeVersions,
} from './registry/add-release.js';
export type { InitOptions, InitResult } from './registry/init.js';
export { emptyRegistry, initRegistry } from './registry/init.js';
export { openRegistryEdit, type RegistryEdit, updateSummary } from './registry/registry-edit.js';
export { compareVersions, isPrerelease } from './registry/semver-order.js';
export {
  isShardedRegistry,
  migrateToSharded,
  readPluginFile,
  summaryEntry,
  writePluginFile,
  writeSummary,
  writeSummaryEntries,
} from './registry/sharded-store.js';
export { readRegistry, registryPath, serializeRegistry, writeRegistry } from './registry/store.js';
export { renderMarkdown } from './review/render-report.js';
export { reviewRelease } from './review/review-release.js';
export { runReview } from './review/run-review.js';
export { SCORE_FORMULA, scoreChecks } from './review/scores.js';
export type { StaticServer, StaticServerOptions } from './serve/static-server.js';
export { startStaticServer } from './serve/static-server.js';
export { parseIssueForm, renderIssueBody } from './submission/issue-form.js';
export { parseSubmission } from './submission/parse-submission.js';
export type { RoleKey, RoleKeys, TufRole } from './tuf/keys.js';
export {
  defaultKeysDir,
  generateRoleKey,
  generateRoleKeys,
  loadRoleKey,
  loadRoleKeys,
  saveRoleKeys,
  signerFor,
  TUF_ROLES,
  tufKeyFromPublic,
} from './tuf/keys.js';
export type { MetadataState } from './tuf/metadata-state.js';
export { assertRootTrusts, readMetadataState, readTimestamp } from './tuf/metadata-state.js';
export type { PublishOptions, PublishResult } from './tuf/publish.js';
export { publishRegistry, resignTimestamp } from './tuf/publish.js';
export {
  binOf,
  bitLengthFor,
  HEAD_TARGET,
  pluginTarget,
  readShardedState,
  SHARD_THRESHOLD,
} from './tuf/sharded-layout.js';
export { listPluginIds, pluginFileBytes, publishShardedFull, publishShardedPlugins } from './tuf/sharded-publish.js';
export {
  addDays,
  buildRoot,
  EXPIRY_DAYS,
  REGISTRY_TARGET,
  sha256Hex,
  tufDate,
  writeRootMetadata,
  writeSnapshotMetadata,
  writeTargetsMetadata,
  writeTimestampMetadata,
} from './tuf/sign-metadata.js';
export { validateFile } from './validate/validate-file.js';
