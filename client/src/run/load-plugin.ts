import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LockEntry, WharfError } from '@wharf/schemas';
import type { HomePaths } from '../home.js';
import { readLockfile } from '../lockfile.js';
import type { PrestartedWorker } from './prestart.js';
import { type HostPolicy, openSandbox, type SandboxedPlugin, type SandboxInput } from './sandbox.js';

export { DEFAULT_POLICY, type HostPolicy } from './sandbox.js';

export interface LoadedPlugin extends SandboxedPlugin {
  readonly entry: LockEntry;
}

export interface LoadOptions {
  config?: Record<string, string>;
  policy?: HostPolicy;
  /** Host functions the app offers; the sandbox links only those the plugin's permissions declare. */
  hostFunctions?: SandboxInput['hostFunctions'];
  /**
   * A worker prestartExtismWorker() started, so its boot overlapped the caller's work: the plugin runs in it once
   * the checks here passed; when they fail, it is terminated.
   */
  worker?: PrestartedWorker;
}

/**
 * Load an installed plugin into Extism with its declared permissions and nothing more. The bytes are
 * re-hashed against the lockfile first, so an edited file on disk never runs.
 */
export async function loadPlugin(home: HomePaths, id: string, opts: LoadOptions = {}): Promise<LoadedPlugin> {
  try {
    return await load(home, id, opts);
  } finally {
    opts.worker?.cancel(); // a no-op once the sandbox adopted it
  }
}

async function load(home: HomePaths, id: string, opts: LoadOptions): Promise<LoadedPlugin> {
  const lock = readLockfile(home.lockfile);
  const entry = lock.plugins[id];
  if (!entry) throw new WharfError('E_NOT_INSTALLED', `${id} is not installed. Try \`wharf install ${id}\`.`);
  const bytes = readFileSync(join(home.root, entry.path));
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== entry.sha256) {
    throw new WharfError(
      'E_LOCK_MISMATCH',
      `${entry.path} has sha256 ${sha.slice(0, 12)}…, the lockfile pins ${entry.sha256.slice(0, 12)}…; reinstall it.`,
    );
  }
  const sandbox = await openSandbox({
    id,
    wasm: new Uint8Array(bytes),
    permissions: entry.permissions,
    exports: entry.exports,
    config: opts.config,
    policy: opts.policy,
    hostFunctions: opts.hostFunctions,
    prestarted: opts.worker,
  });
  return Object.assign(sandbox, { entry });
}
