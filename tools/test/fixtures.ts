// Real files for the tools tests: temp dirs, a real minisign key pair (the minisign CLI, argv arrays, no shell),
// tiny real wasm modules and manifests signed with Wharf's trusted-comment binding.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';

/**
 * Run `wharf-admin <args>` through main() with captured output, `env` set for the call only and `serve`
 * returning at once. main sets process.exitCode for the bin; it is reset so it can't leak into vitest's own.
 */
export async function runMain(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const saved = Object.keys(env).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, env);
  try {
    const code = await main(['node', 'wharf-admin', ...args], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      untilStopped: () => Promise.resolve(),
    });
    return { code, stdout, stderr };
  } finally {
    process.exitCode = 0;
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export async function tempDir(prefix = 'wharf-tools-'): Promise<{ path: string; cleanup(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export interface MinisignKey {
  pubPath: string;
  keyPath: string;
  /** The "RW…" base64 line, as plugin.json's signing_key carries it. */
  publicKey: string;
}

export async function minisignKey(dir: string, name = 'author'): Promise<MinisignKey> {
  const pubPath = join(dir, `${name}.pub`);
  const keyPath = join(dir, `${name}.key`);
  execFileSync('minisign', ['-G', '-W', '-p', pubPath, '-s', keyPath], { stdio: 'pipe' });
  const lines = (await readFile(pubPath, 'utf8')).trim().split('\n');
  return { pubPath, keyPath, publicKey: lines[lines.length - 1] ?? '' };
}

/** The smallest valid module (magic + version), plus optional trailing custom-section bytes to vary the hash. */
export function wasmBytes(variant = 0): Uint8Array {
  const base = [0, 97, 115, 109, 1, 0, 0, 0];
  // custom section id 0, size 2, name length 1, name byte = variant
  return new Uint8Array(variant === 0 ? base : [...base, 0, 2, 1, variant]);
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function manifest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'hello-wharf',
    name: 'Hello Wharf',
    version: '1.0.0',
    description: 'Greets people.\nA test plugin for the tools suite.',
    author: { name: 'Test Author', github: 'tester' },
    license: 'MIT',
    homepage: 'https://github.com/tester/hello-wharf',
    repository: 'https://github.com/tester/hello-wharf',
    category: 'utility',
    tags: ['demo'],
    wasm: 'plugin.wasm',
    exports: [{ name: 'greet', description: 'Says hello' }],
    permissions: {},
    compatibility: { host: '>=0.1.0', extism_abi: '1' },
    ...overrides,
  };
}

export interface SignedRelease {
  manifestPath: string;
  wasmPath: string;
  sigPath: string;
  sha256: string;
  wasm: Uint8Array;
}

/**
 * Writes plugin.json, plugin.wasm and plugin.wasm.minisig into `dir` (which it creates names in). `bind` overrides
 * what the trusted comment claims, to forge mismatched bindings.
 */
export async function signedRelease(
  dir: string,
  key: MinisignKey,
  opts: { manifest?: Record<string, unknown>; variant?: number; bind?: { id?: string; version?: string } } = {},
): Promise<SignedRelease> {
  const m = { ...manifest(opts.manifest), signing_key: key.publicKey };
  const wasm = wasmBytes(opts.variant ?? 0);
  const digest = sha256(wasm);
  const tag = `${m.id}-${m.version}-${opts.variant ?? 0}`;
  const manifestPath = join(dir, `${tag}.plugin.json`);
  const wasmPath = join(dir, `${tag}.plugin.wasm`);
  const sigPath = `${wasmPath}.minisig`;
  await writeFile(manifestPath, JSON.stringify(m, null, 2));
  await writeFile(wasmPath, wasm);
  const tc = `wharf1 id=${opts.bind?.id ?? m.id} version=${opts.bind?.version ?? m.version} sha256=${digest}`;
  execFileSync('minisign', ['-S', '-s', key.keyPath, '-m', wasmPath, '-x', sigPath, '-t', tc], { stdio: 'pipe' });
  return { manifestPath, wasmPath, sigPath, sha256: digest, wasm };
}

/** Names of leftover temp files (our atomic writes use `.<name>.<pid>.<rand>.tmp`). */
export async function tempFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).filter((n) => String(n).endsWith('.tmp')).map(String);
}
