import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildDemoRegistry, type DemoRegistry, type StaticServer, startStaticServer } from '@wharf/tools';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const EXAMPLES = join(REPO, 'examples');
export const WHARF = join(REPO, 'client', 'bin', 'wharf.js');
export const WHARF_ADMIN = join(REPO, 'tools', 'bin', 'wharf-admin.js');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `wharf-${prefix}-`));
}

export interface ServedDemo {
  root: string;
  reg: DemoRegistry;
  server: StaticServer;
  close(): Promise<void>;
}

/** A freshly signed registry of the example plugins, served on 127.0.0.1 with the artifacts beside it. */
export async function serveDemo(only?: string[]): Promise<ServedDemo> {
  const root = tempDir('demo');
  // Artifacts are served from a copy so that tests can tamper with them without touching examples/.
  cpSync(EXAMPLES, join(root, 'artifacts'), { recursive: true, filter: (s) => !s.includes('node_modules') });
  mkdirSync(join(root, 'registry'));
  const server = await startStaticServer(join(root, 'registry'), {
    port: 0,
    mounts: { '/artifacts/': join(root, 'artifacts') },
  });
  const reg = await buildDemoRegistry({
    dir: join(root, 'registry'),
    examplesDir: join(root, 'artifacts'),
    artifactBaseUrl: `${server.url}/artifacts`,
    only,
  });
  return {
    root,
    reg,
    server,
    async close() {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
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
    child.stdin.end(opts.input ?? '');
  });
}
