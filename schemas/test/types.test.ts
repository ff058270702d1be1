// The hand-written contract (src/types.ts) and the types generated from the JSON Schemas must describe the same
// shapes. The assertions below are compile-time; the test runs tsc over this directory so a drift fails `vitest`.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as GenLockfile from '../src/generated/lockfile.js';
import type * as GenManifest from '../src/generated/manifest.js';
import type * as GenRegistry from '../src/generated/registry.js';
import type * as GenReport from '../src/generated/report.js';
import type * as GenSources from '../src/generated/sources.js';
import type * as GenSubmission from '../src/generated/submission.js';
import type {
  LockEntry,
  Lockfile,
  Manifest,
  Permissions,
  Registry,
  RegistryPlugin,
  Release,
  ReviewReport,
  SourceConfig,
  SourcesConfig,
  Submission,
} from '../src/index.js';

/** true only when A and B are assignable both ways. */
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// A type error on any of these lines means src/types.ts and schemas/json/ disagree.
export const manifest: Mutual<Manifest, GenManifest.Manifest> = true;
export const permissions: Mutual<Permissions, GenManifest.Permissions> = true;
export const registry: Mutual<Registry, GenRegistry.Registry> = true;
export const registryPlugin: Mutual<RegistryPlugin, GenRegistry.RegistryPlugin> = true;
export const release: Mutual<Release, GenRegistry.Release> = true;
export const lockfile: Mutual<Lockfile, GenLockfile.Lockfile> = true;
export const lockEntry: Mutual<LockEntry, GenLockfile.LockEntry> = true;
export const sources: Mutual<SourcesConfig, GenSources.SourcesConfig> = true;
export const source: Mutual<SourceConfig, GenSources.SourceConfig> = true;
export const report: Mutual<ReviewReport, GenReport.ReviewReport> = true;
export const submission: Mutual<Submission, GenSubmission.Submission> = true;

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('generated types', () => {
  it('are mutually assignable with src/types.ts (tsc over schemas/test)', () => {
    expectTypeOf<Manifest>().toExtend<GenManifest.Manifest>();
    expectTypeOf<GenManifest.Manifest>().toExtend<Manifest>();
    expectTypeOf<Registry>().toExtend<GenRegistry.Registry>();
    expectTypeOf<GenRegistry.Registry>().toExtend<Registry>();
    expectTypeOf<Lockfile>().toExtend<GenLockfile.Lockfile>();
    expectTypeOf<GenLockfile.Lockfile>().toExtend<Lockfile>();
    expectTypeOf<SourcesConfig>().toExtend<GenSources.SourcesConfig>();
    expectTypeOf<GenSources.SourcesConfig>().toExtend<SourcesConfig>();
    // vitest does not type-check; tsc does, and fails on any false Mutual<> above.
    const tsc = `${root}node_modules/typescript/bin/tsc`;
    const run = () =>
      execFileSync(process.execPath, [tsc, '-p', 'schemas/test/tsconfig.json'], { cwd: root, encoding: 'utf8' });
    expect(run).not.toThrow();
  });

  it('are up to date with schemas/json (gen-types --check)', () => {
    const run = () =>
      execFileSync(process.execPath, ['schemas/scripts/gen-types.mjs', '--check'], {
        cwd: root,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    expect(run).not.toThrow();
  });
});
