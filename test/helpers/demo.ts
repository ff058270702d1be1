import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { WharfClient } from '@wharf/client';
import { type ServedDemo, serveDemoRegistry } from '@wharf/tools';
import { tempDir } from './temp-dir.js';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const EXAMPLES = join(REPO, 'examples');
export const WHARF = join(REPO, 'client', 'bin', 'wharf.js');
export const WHARF_ADMIN = join(REPO, 'tools', 'bin', 'wharf-admin.js');

export type { ServedDemo } from '@wharf/tools';
export { tempDir } from './temp-dir.js';

/** A freshly signed registry of the example plugins, served on 127.0.0.1 with the artifacts beside it. */
export function serveDemo(only?: string[]): Promise<ServedDemo> {
  return serveDemoRegistry({ examplesDir: EXAMPLES, root: tempDir('demo'), only });
}

/** A client on `home` with `demo` added as source `local` (trusted by its root's fingerprint) and refreshed. */
export async function demoClient(demo: ServedDemo, home: string): Promise<WharfClient> {
  const c = new WharfClient({ home });
  await c.addSource({ alias: 'local', url: demo.server.url, rootSha256: demo.reg.rootSha256 });
  await c.refresh();
  return c;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run one of the real CLI binaries as a user would. */
export function runCli(
  bin: string,
  args: string[],
  opts: { env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    // A command that never reads stdin may exit before the write lands (EPIPE): its exit code and output
    // are the result, so the pipe error is not one.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') reject(err);
    });
    child.stdin.end(opts.input ?? '');
  });
}
