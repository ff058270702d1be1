import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { openSandbox } from '@wharf/client';
import type { CheckResult, ExportSpec, Permissions } from '@wharf/schemas';
import { isWharfError } from '@wharf/schemas';
import { sha256Hex } from '../github/fetch-release.js';

export interface SmokeResult {
  wasm_sha256: string;
  results: { export: string; status: 'pass' | 'fail'; message: string; ms: number }[];
}

/** Calls every declared export once, with its sample_input or an empty input, inside the client's sandbox. */
export async function smokeRun(
  wasm: Uint8Array,
  decl: { id: string; exports: ExportSpec[]; permissions: Permissions },
): Promise<SmokeResult> {
  const out: SmokeResult = { wasm_sha256: sha256Hex(wasm), results: [] };
  let plugin: Awaited<ReturnType<typeof openSandbox>>;
  try {
    plugin = await openSandbox({
      id: decl.id,
      wasm,
      permissions: decl.permissions,
      exports: decl.exports,
      policy: { maxTimeoutMs: 5_000, defaultTimeoutMs: 5_000 },
    });
  } catch (e) {
    const msg = isWharfError(e) ? `${e.code}: ${e.message}` : String(e);
    out.results.push({ export: '(instantiate)', status: 'fail', message: msg, ms: 0 });
    return out;
  }
  try {
    for (const ex of decl.exports) {
      const t0 = performance.now();
      try {
        const bytes = await plugin.call(ex.name, ex.sample_input ?? '');
        out.results.push({
          export: ex.name,
          status: 'pass',
          message: `returned ${bytes.length} bytes`,
          ms: performance.now() - t0,
        });
      } catch (e) {
        const msg = isWharfError(e) ? `${e.code}: ${e.message}` : String(e);
        out.results.push({ export: ex.name, status: 'fail', message: msg, ms: performance.now() - t0 });
      }
    }
  } finally {
    await plugin.close().catch(() => {});
  }
  return out;
}

/** The smoke.run check from a smoke result, which must be for the reviewed bytes. */
export function smokeCheck(smoke: SmokeResult | undefined, wasmSha256: string): CheckResult {
  if (!smoke)
    return { id: 'smoke.run', status: 'skip', message: 'no smoke run yet (it runs in a separate, token-less job)' };
  if (smoke.wasm_sha256 !== wasmSha256)
    return { id: 'smoke.run', status: 'fail', message: 'E_DIGEST_CHANGED: the smoke run was for different bytes' };
  const failed = smoke.results.filter((r) => r.status === 'fail');
  if (failed.length > 0)
    return {
      id: 'smoke.run',
      status: 'fail',
      message: failed
        .map((r) => `${r.export}: ${r.message}`)
        .join('; ')
        .slice(0, 500),
    };
  return {
    id: 'smoke.run',
    status: 'pass',
    message: smoke.results.map((r) => `${r.export} ok in ${Math.round(r.ms)} ms`).join(', '),
  };
}

/** Environment for the smoke child: nothing that looks like a credential crosses into the process running untrusted code. */
export function tokenFreeEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (/TOKEN|SECRET|PASSWORD|PASSPHRASE|KEY|AUTH|CREDENTIAL|^GH_|^GITHUB_|^ACTIONS_/i.test(k)) continue;
    clean[k] = v;
  }
  return clean;
}

/**
 * Runs `wharf-admin smoke` in a child process whose environment holds no token, so untrusted WASM never shares a
 * process (or an env) with credentials. In Actions the same command runs in its own job with `permissions: {}`.
 */
export function smokeRunIsolated(wasmPath: string, manifestPath: string): Promise<SmokeResult> {
  const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'wharf-admin.js');
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [bin, 'smoke', '--wasm', wasmPath, '--manifest', manifestPath, '--json'], {
      env: tokenFreeEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const settle = (code: number | null): boolean => {
      try {
        const parsed = JSON.parse(stdout) as SmokeResult | { error: { message: string } };
        settled = true;
        if ('results' in parsed) ok(parsed);
        else fail(new Error(`smoke run failed: ${parsed.error.message}`));
        return true;
      } catch {
        if (code !== undefined && code !== -1) fail(new Error(`smoke run exited ${code}: ${stderr.slice(0, 500)}`));
        return false;
      }
    };
    // Extism leaves its call-timeout timer armed after close, so the child lingers ~timeoutMs before exiting; the
    // result is complete once the JSON parses, so stop waiting for (and kill) the child then.
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!settled && settle(-1)) child.kill();
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => {
      if (!settled) settle(code);
    });
  });
}
