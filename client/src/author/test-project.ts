import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CheckResult, isWharfError, type Manifest, WharfError } from '@wharf/schemas';
import { type HostPolicy, openSandbox } from '../run/sandbox.js';
import { type ScanReport, scanWasm } from '../scan/scan-wasm.js';
import { readProjectManifest } from './build-project.js';

export interface ExportRun {
  export: string;
  input: string;
  /** pass: ran (and matched --expect, if given); fail: output differs; error: the call failed. */
  status: 'pass' | 'fail' | 'error';
  output?: string;
  expected?: string;
  error?: { code: string; message: string };
  ms: number;
  /** How much the process's peak RSS grew during the call, in KiB: a coarse upper bound of what it used. */
  peak_rss_kib: number;
}

export interface PluginTestReport {
  id: string;
  version: string;
  wasm: string;
  size: number;
  sha256: string;
  /** The module's declared memory limits in 64 KiB pages, as the scan read them. */
  memory?: ScanReport['memory'];
  checks: CheckResult[];
  runs: ExportRun[];
  passed: boolean;
}

export interface TestOptions {
  /** Input for every export run (default: each export's sample_input, else ""). */
  input?: string | Uint8Array;
  /** Expected output text; a differing output fails the run. */
  expect?: string;
  /** Run only this export. */
  exportName?: string;
  policy?: HostPolicy;
}

/**
 * What the review bot will say, locally: the same static scan (scanWasm), then every declared export run in the
 * same sandbox (openSandbox) with the manifest's permissions and nothing more.
 */
export async function testProject(dir: string, opts: TestOptions = {}): Promise<PluginTestReport> {
  const root = resolve(dir);
  const m = readProjectManifest(root);
  const wasmPath = join(root, m.wasm);
  if (!existsSync(wasmPath))
    throw new WharfError('E_USAGE', `${m.wasm} not found in ${root}: run \`wharf plugin build\` first.`);
  const bytes = new Uint8Array(readFileSync(wasmPath));
  return testPlugin(m, bytes, opts);
}

export async function testPlugin(m: Manifest, bytes: Uint8Array, opts: TestOptions = {}): Promise<PluginTestReport> {
  // The review bot's own scan, so the author sees the same check ids and messages it will post.
  const scan = scanWasm(bytes, m);
  const checks = scan.checks;
  const exports = opts.exportName ? m.exports.filter((e) => e.name === opts.exportName) : m.exports;
  if (opts.exportName && exports.length === 0)
    throw new WharfError('E_WASM_EXPORT', `plugin.json declares no export "${opts.exportName}".`);
  const runs: ExportRun[] = [];
  if (!checks.some((c) => c.status === 'fail')) {
    let sandbox: Awaited<ReturnType<typeof openSandbox>> | undefined;
    try {
      sandbox = await openSandbox({
        id: m.id,
        wasm: bytes,
        permissions: m.permissions,
        exports: m.exports,
        policy: opts.policy ?? BOT_SMOKE_POLICY,
      });
    } catch (e) {
      runs.push(failedRun('(instantiate)', '', 0, e));
    }
    if (sandbox) {
      try {
        for (const e of exports) runs.push(await runOne(sandbox.call.bind(sandbox), e.name, opts, e.sample_input));
      } finally {
        await sandbox.close();
      }
    }
    // With the sample inputs this is the bot's smoke run, so report it under the bot's check id.
    if (opts.input === undefined && opts.exportName === undefined) checks.push(smokeCheck(runs));
  }
  const passed =
    !checks.some((c) => c.status === 'fail') &&
    runs.length === exports.length &&
    runs.every((r) => r.status === 'pass');
  return {
    id: m.id,
    version: m.version,
    wasm: m.wasm,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    memory: scan.memory,
    checks,
    runs,
    passed,
  };
}

async function runOne(
  call: (name: string, input: Uint8Array) => Promise<Uint8Array>,
  name: string,
  opts: TestOptions,
  sample: string | undefined,
): Promise<ExportRun> {
  const input = opts.input ?? sample ?? '';
  const inputBytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const inputText = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  const rssBefore = process.resourceUsage().maxRSS;
  const started = performance.now();
  try {
    const out = Buffer.from(await call(name, inputBytes)).toString('utf8');
    const ms = performance.now() - started;
    const matched = opts.expect === undefined || out === opts.expect;
    return {
      export: name,
      input: inputText,
      status: matched ? 'pass' : 'fail',
      output: out,
      ...(opts.expect !== undefined ? { expected: opts.expect } : {}),
      ms: round(ms),
      peak_rss_kib: process.resourceUsage().maxRSS - rssBefore,
    };
  } catch (e) {
    return failedRun(name, inputText, performance.now() - started, e, process.resourceUsage().maxRSS - rssBefore);
  }
}

function failedRun(name: string, input: string, ms: number, e: unknown, rss = 0): ExportRun {
  const w = isWharfError(e) ? e : new WharfError('E_PLUGIN_TRAP', e instanceof Error ? e.message : String(e));
  return {
    export: name,
    input,
    status: 'error',
    error: { code: w.code, message: w.message },
    ms: round(ms),
    peak_rss_kib: rss,
  };
}

/** The limits the review bot's smoke run uses (tools/src/review/smoke-run.ts): 5 s per call at most. */
export const BOT_SMOKE_POLICY = { maxTimeoutMs: 5_000, defaultTimeoutMs: 5_000 };

/** The bot's smoke.run check, worded as it words it, from runs on the sample inputs. */
function smokeCheck(runs: ExportRun[]): CheckResult {
  const failed = runs.filter((r) => r.status === 'error');
  if (failed.length > 0)
    return {
      id: 'smoke.run',
      status: 'fail',
      message: failed
        .map((r) => `${r.export}: ${r.error?.code}: ${r.error?.message}`)
        .join('; ')
        .slice(0, 500),
    };
  return {
    id: 'smoke.run',
    status: 'pass',
    message: runs.map((r) => `${r.export} ok in ${Math.round(r.ms)} ms`).join(', '),
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;
