import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assertManifest, type Manifest, WharfError } from '@wharf/schemas';

/** plugin.json of a project dir, schema-checked. */
export function readProjectManifest(dir: string): Manifest {
  const p = join(resolve(dir), 'plugin.json');
  if (!existsSync(p))
    throw new WharfError('E_USAGE', `${p} not found: run this in a plugin project (see \`wharf plugin init\`).`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw new WharfError('E_SCHEMA', `${p} is not valid JSON: ${(e as Error).message}`);
  }
  return assertManifest(raw);
}

export interface BuildResult {
  wasm: string;
  size: number;
  sha256: string;
  ms: number;
}

/**
 * Build with the project's own `npm run build` (package.json stays the one place the build is defined, so
 * the release workflow and this command can't drift), then check that the declared wasm is a valid module.
 */
export async function buildProject(
  dir: string,
  opts: { stdio?: 'inherit' | 'pipe'; npm?: string } = {},
): Promise<BuildResult> {
  const root = resolve(dir);
  const m = readProjectManifest(root);
  if (!existsSync(join(root, 'package.json')))
    throw new WharfError('E_USAGE', `${root} has no package.json with a build script.`);
  const started = performance.now();
  const { code, output } = await runNpm(root, ['run', 'build'], opts);
  if (code !== 0)
    throw new WharfError(
      'E_WASM_INVALID',
      `npm run build failed (exit ${code}) in ${root}.${output ? `\n${output}` : ''}`,
    );
  const ms = Math.round(performance.now() - started);
  const wasmPath = join(root, m.wasm);
  if (!existsSync(wasmPath)) throw new WharfError('E_WASM_INVALID', `The build finished but wrote no ${m.wasm}.`);
  const bytes = readFileSync(wasmPath);
  if (!WebAssembly.validate(new Uint8Array(bytes)))
    throw new WharfError('E_WASM_INVALID', `${m.wasm} is not a valid WebAssembly module.`);
  return { wasm: wasmPath, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), ms };
}

export function runNpm(
  cwd: string,
  args: string[],
  opts: { stdio?: 'inherit' | 'pipe'; npm?: string } = {},
): Promise<{ code: number; output: string }> {
  return new Promise((ok, fail) => {
    const npm = opts.npm ?? (process.platform === 'win32' ? 'npm.cmd' : 'npm');
    const child = spawn(npm, args, {
      cwd,
      stdio: opts.stdio === 'inherit' ? ['ignore', process.stderr, process.stderr] : ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    child.on('error', fail);
    child.on('close', (code) => ok({ code: code ?? 1, output: output.trim() }));
  });
}
