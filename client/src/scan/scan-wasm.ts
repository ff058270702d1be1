import type { CheckResult, ErrorCode, ExportSpec, Permissions } from '@wharf/schemas';
import {
  EXTISM_ENV,
  EXTISM_KERNEL_IMPORTS,
  EXTISM_USER,
  FOREIGN_NAMESPACES,
  PERMISSIONED_IMPORTS,
  WASI_P1,
} from './extism-abi.js';
import { type MemoryLimits, WasmFormatError, type WasmLayout, walkSections } from './wasm-sections.js';

/** Limits a module must stay within. Chosen to let real Rust/TinyGo/Go/Haskell/AS builds through (DESIGN §10). */
export interface ScanLimits {
  maxBytes: number;
  maxFunctions: number;
  maxCustomSections: number;
  maxDataBytes: number;
  /** Initial memory above this many 64 KiB pages is refused. */
  maxInitialPages: number;
  /** `.debug_*` sections above this share of the module are flagged (not refused). */
  debugShareWarn: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = {
  maxBytes: 32 * 1024 * 1024,
  maxFunctions: 250_000,
  maxCustomSections: 1_000,
  maxDataBytes: 16 * 1024 * 1024,
  maxInitialPages: 16_384, // 1 GiB
  debugShareWarn: 0.3,
};

/** What the scan needs from a manifest; a full Manifest fits. */
export interface ScanDeclaration {
  exports: Pick<ExportSpec, 'name'>[];
  permissions: Permissions;
}

export interface ScanOptions {
  limits?: Partial<ScanLimits>;
  /**
   * The whole module's size, when `bytes` is its sieved copy (sieve-wasm.ts: large custom payloads dropped). What
   * can refuse is the same; the report's custom-section sizes (and the debug-share warning) are those of the copy.
   */
  size?: number;
  /** With `size`: the whole module ends inside a payload its sieved copy dropped (WasmSieve.end()). */
  truncated?: boolean;
}

export interface ScanReport {
  /** No check failed. */
  ok: boolean;
  checks: CheckResult[];
  size: number;
  imports: { module: string; name: string; kind: string }[];
  exports: { name: string; kind: string }[];
  /** The module's first memory (Extism plugins have exactly one). */
  memory?: MemoryLimits;
  functions: { imported: number; defined: number };
  start?: number;
  data: { segments: number; bytes: number };
  customSections: { name: string; size: number }[];
  debugBytes: number;
  producers: Record<string, { name: string; version: string }[]>;
  /** Source language from the producers section, else a heuristic, else "unknown". */
  language: string;
  /**
   * Function exports that language runtimes add beside the plugin's own (TinyGo's malloc and asyncify_*, GHC's
   * hs_init, WASI's _start…). Listed for information; only declared exports (or, without a manifest, the rest) are
   * held to the Extism signature.
   */
  runtimeExports: string[];
}

/**
 * Stable check ids. `wharf-admin review`, `wharf plugin test` and the registry's review records all report these,
 * so renaming one is a breaking change.
 */
export const SCAN_CHECK_IDS = [
  'wasm.size',
  'wasm.valid',
  'wasm.limits',
  'wasm.start',
  'wasm.debug-sections',
  'wasm.memory',
  'wasm.imports',
  'wasm.wasi',
  'wasm.exports',
  'wasm.permissions',
  'wasm.language',
] as const;
export type ScanCheckId = (typeof SCAN_CHECK_IDS)[number];

const MIB = 1024 * 1024;

/**
 * Static scan of an Extism plugin, with no instantiation: V8 validates and lists imports/exports, a small section
 * walker reads what V8 does not expose. Every refusal is a `fail` check whose message starts with its E_ code.
 */
export function scanWasm(bytes: Uint8Array, manifest?: ScanDeclaration, opts: ScanOptions = {}): ScanReport {
  return scanWasmModule(bytes, manifest, opts).report;
}

/** scanWasm, also handing back the module V8 compiled (when it got that far), so admission need not compile twice. */
export function scanWasmModule(
  bytes: Uint8Array,
  manifest?: ScanDeclaration,
  opts: ScanOptions = {},
): { report: ScanReport; module?: WebAssembly.Module } {
  let compiled: WebAssembly.Module | undefined;
  const report = scan(bytes, manifest, opts, (m) => {
    compiled = m;
  });
  return compiled ? { report, module: compiled } : { report };
}

function scan(
  bytes: Uint8Array,
  manifest: ScanDeclaration | undefined,
  opts: ScanOptions,
  onModule: (m: WebAssembly.Module) => void,
): ScanReport {
  const limits = { ...DEFAULT_SCAN_LIMITS, ...opts.limits };
  const checks: CheckResult[] = [];
  const add = (id: ScanCheckId, status: CheckResult['status'], message: string): void => {
    checks.push({ id, status, message });
  };
  const fail = (id: ScanCheckId, code: ErrorCode, message: string): void => add(id, 'fail', `${code}: ${message}`);
  const size = opts.size ?? bytes.length;
  const report: ScanReport = {
    ok: false,
    checks,
    size,
    imports: [],
    exports: [],
    functions: { imported: 0, defined: 0 },
    data: { segments: 0, bytes: 0 },
    customSections: [],
    debugBytes: 0,
    producers: {},
    language: 'unknown',
    runtimeExports: [],
  };
  const finish = (): ScanReport => {
    for (const id of SCAN_CHECK_IDS) {
      if (!checks.some((c) => c.id === id)) add(id, 'skip', 'not checked: an earlier check failed');
    }
    report.ok = checks.every((c) => c.status !== 'fail');
    return report;
  };

  if (size > limits.maxBytes) {
    fail('wasm.size', 'E_WASM_LIMITS', `the module is ${mib(size)}, over the ${mib(limits.maxBytes)} limit`);
    return finish();
  }
  add('wasm.size', 'pass', `${mib(size)} (limit ${mib(limits.maxBytes)})`);

  // What the walker below says of the whole module when it runs past the end of a section.
  if (opts.truncated) {
    fail('wasm.valid', 'E_WASM_INVALID', 'not a valid WebAssembly module: it ends inside a custom section');
    return finish();
  }

  // The walker first: it is linear, and refuses a million-function module before V8 spends time compiling it.
  let layout: WasmLayout;
  try {
    layout = walkSections(bytes);
  } catch (e) {
    const why = e instanceof WasmFormatError ? e.message : String(e);
    fail('wasm.valid', 'E_WASM_INVALID', `not a valid WebAssembly module: ${why}`);
    return finish();
  }
  report.functions = {
    imported: layout.importedFunctions,
    defined: layout.functionTypes.length - layout.importedFunctions,
  };
  if (layout.start !== undefined) report.start = layout.start;
  report.data = { segments: layout.dataSegments, bytes: layout.dataBytes };
  report.producers = layout.producers;
  const memory = layout.memories[0];
  if (memory) report.memory = memory;
  for (const s of layout.sections) if (s.id === 0) report.customSections.push({ name: s.name ?? '', size: s.size });
  report.debugBytes = report.customSections.filter((s) => s.name.startsWith('.debug')).reduce((n, s) => n + s.size, 0);

  const overLimits: string[] = [];
  if (layout.functionTypes.length > limits.maxFunctions)
    overLimits.push(`${layout.functionTypes.length} functions (limit ${limits.maxFunctions})`);
  if (report.customSections.length > limits.maxCustomSections)
    overLimits.push(`${report.customSections.length} custom sections (limit ${limits.maxCustomSections})`);
  if (layout.dataBytes > limits.maxDataBytes)
    overLimits.push(`${mib(layout.dataBytes)} of data segments (limit ${mib(limits.maxDataBytes)})`);
  if (overLimits.length > 0) {
    fail('wasm.limits', 'E_WASM_LIMITS', `the module has ${overLimits.join(', ')}`);
    return finish();
  }

  let mod: WebAssembly.Module;
  try {
    mod = new WebAssembly.Module(withoutLargeCustomSections(bytes, layout) as Uint8Array<ArrayBuffer>);
  } catch (e) {
    fail('wasm.valid', 'E_WASM_INVALID', `V8 refuses the module: ${(e as Error).message}`);
    return finish();
  }
  onModule(mod);
  add('wasm.valid', 'pass', 'the module validates');
  add(
    'wasm.limits',
    'pass',
    `${report.functions.defined} functions, ${report.customSections.length} custom sections, ${mib(layout.dataBytes)} data`,
  );
  report.imports = WebAssembly.Module.imports(mod).map((i) => ({ module: i.module, name: i.name, kind: i.kind }));
  report.exports = WebAssembly.Module.exports(mod).map((e) => ({ name: e.name, kind: e.kind }));
  report.runtimeExports = report.exports
    .filter((e) => e.kind === 'function' && isRuntimeExport(e.name))
    .map((e) => e.name);

  // Start section: AssemblyScript always emits one; it runs at instantiation, inside the sandbox's timeout.
  if (layout.start !== undefined)
    add(
      'wasm.start',
      'warn',
      `has a start section (function ${layout.start}); typical of AssemblyScript, runs on load`,
    );
  else add('wasm.start', 'pass', 'no start section');

  const debugShare = size > 0 ? report.debugBytes / size : 0;
  if (report.debugBytes > 0 && debugShare >= limits.debugShareWarn)
    add(
      'wasm.debug-sections',
      'warn',
      `.debug_* sections are ${mib(report.debugBytes)} (${Math.round(debugShare * 100)}% of the module); strip them to ship less`,
    );
  else add('wasm.debug-sections', 'pass', `${mib(report.debugBytes)} of .debug_* sections`);

  const verdict = (id: ScanCheckId, v: Verdict): void => add(id, v.status, v.message);
  verdict('wasm.memory', checkMemory(layout, manifest, limits));
  verdict('wasm.imports', checkImports(report, manifest));
  verdict('wasm.wasi', checkWasi(report, manifest));
  verdict('wasm.exports', checkExports(report, layout, manifest));
  verdict('wasm.permissions', checkPermissions(report, manifest));

  report.language = detectLanguage(report, layout);
  add('wasm.language', 'pass', `source language: ${report.language}`);
  return finish();
}

type Verdict = Pick<CheckResult, 'status' | 'message'>;
const ok = (message: string): Verdict => ({ status: 'pass', message });
const warn = (message: string): Verdict => ({ status: 'warn', message });
const skip = (message: string): Verdict => ({ status: 'skip', message });
const refuse = (code: ErrorCode, message: string): Verdict => ({ status: 'fail', message: `${code}: ${message}` });

function checkMemory(layout: WasmLayout, manifest: ScanDeclaration | undefined, limits: ScanLimits): Verdict {
  const mems = layout.memories;
  if (mems.length === 0) return warn('the module has no memory');
  if (mems.length > 1) return refuse('E_WASM_MEMORY', `the module has ${mems.length} memories; Extism uses one`);
  const m = mems[0] as MemoryLimits;
  if (m.memory64) return refuse('E_WASM_MEMORY', 'memory64 is not supported by Extism hosts');
  if (m.shared) return refuse('E_WASM_MEMORY', 'shared memory is not supported by Extism hosts');
  if (m.min > limits.maxInitialPages)
    return refuse('E_WASM_MEMORY', `initial memory is ${m.min} pages, over the ${limits.maxInitialPages}-page limit`);
  const declared = manifest?.permissions.memory_max_pages;
  if (m.max === undefined) {
    // Almost no real Rust/Go/TinyGo build declares a maximum (DESIGN §10): flag it, the host caps memory at load.
    return warn(`initial ${m.min} pages, no maximum declared; the host will cap it`);
  }
  if (declared !== undefined && m.max > declared)
    return warn(`declares up to ${m.max} pages but permissions.memory_max_pages is ${declared}`);
  return ok(`initial ${m.min} pages, maximum ${m.max}`);
}

function checkImports(report: ScanReport, manifest: ScanDeclaration | undefined): Verdict {
  const perms = manifest?.permissions;
  const hostFns = new Set(perms?.host_functions ?? []);
  const refused: string[] = [];
  const unknownKernel: string[] = [];
  for (const imp of report.imports) {
    const what = `${imp.module}.${imp.name}`;
    if (imp.module === EXTISM_ENV) {
      if (!EXTISM_KERNEL_IMPORTS.has(imp.name)) unknownKernel.push(what);
    } else if (imp.module === EXTISM_USER) {
      if (manifest && !hostFns.has(imp.name))
        refused.push(`${what} (host function not declared in permissions.host_functions)`);
    } else if (imp.module === WASI_P1) {
      // Judged by the wasm.wasi check.
    } else if (imp.module === 'env' && imp.name === 'abort') {
      refused.push(`${what} (AssemblyScript's default abort; build with \`asc … --use abort=<file>/<fn>\`)`);
    } else {
      const runtime = FOREIGN_NAMESPACES[imp.module] ?? FOREIGN_NAMESPACES[imp.module.split(':')[0] ?? ''];
      refused.push(runtime ? `${what} (${runtime})` : `${what} (unknown namespace)`);
    }
  }
  if (refused.length > 0) {
    const shown = refused.slice(0, 5).join('; ');
    const more = refused.length > 5 ? ` and ${refused.length - 5} more` : '';
    return refuse('E_WASM_IMPORT', `imports that no Extism host provides: ${shown}${more}`);
  }
  if (unknownKernel.length > 0)
    return warn(`imports not in Extism kernel ABI v1 (a newer host may have them): ${unknownKernel.join(', ')}`);
  return ok(`${report.imports.length} imports, all from the Extism kernel, declared host functions or WASI`);
}

function checkWasi(report: ScanReport, manifest: ScanDeclaration | undefined): Verdict {
  const wasiImports = report.imports.filter((i) => i.module === WASI_P1).length;
  const fnExports = report.exports.filter((e) => e.kind === 'function').map((e) => e.name);
  // A WASI command runs main() once through _start; it has no Extism entry points.
  if (fnExports.includes('_start') && callableExports(report).length === 0)
    return refuse('E_WASM_EXPORT', 'a WASI command (only `_start` exported), not an Extism plugin');
  if (wasiImports > 0 && manifest && manifest.permissions.wasi !== true)
    return refuse('E_WASM_IMPORT', `imports ${wasiImports} WASI functions but permissions.wasi is not declared`);
  if (wasiImports > 0) return ok(`uses WASI preview 1 (${wasiImports} imports)${manifest ? ', declared' : ''}`);
  if (manifest?.permissions.wasi === true)
    return warn('permissions.wasi is declared but the module imports no WASI function');
  return ok('no WASI imports');
}

/** Exports a toolchain's runtime adds to every build, whatever the plugin; none of them is an Extism entry point. */
const RUNTIME_EXPORTS: ReadonlySet<string> = new Set([
  '_start', // WASI command entry (TinyGo, Go)
  '_initialize', // WASI reactor entry (C, Go c-shared, GHC)
  'malloc', // libc allocator, exported by TinyGo and wasi-libc builds
  'free',
  'calloc',
  'realloc',
  'hs_init', // GHC's runtime initialiser
]);

/** A runtime export: the names above, Binaryen's asyncify_* (TinyGo), and `__`-prefixed internals (AS, C). */
export function isRuntimeExport(name: string): boolean {
  return RUNTIME_EXPORTS.has(name) || name.startsWith('asyncify_') || name.startsWith('__');
}

function callableExports(report: ScanReport): string[] {
  return report.exports.filter((e) => e.kind === 'function' && !isRuntimeExport(e.name)).map((e) => e.name);
}

function checkExports(report: ScanReport, layout: WasmLayout, manifest: ScanDeclaration | undefined): Verdict {
  const callable = callableExports(report);
  const names = manifest ? manifest.exports.map((e) => e.name) : callable;
  if (names.length === 0) return refuse('E_WASM_EXPORT', 'the module exports no callable function');
  const missing: string[] = [];
  const badSig: string[] = [];
  const voidSig: string[] = [];
  for (const name of names) {
    const index = layout.exportedFunctions.get(name);
    if (index === undefined) {
      missing.push(name);
      continue;
    }
    const type = layout.types[layout.functionTypes[index] ?? -1];
    const sig = type ? `(${type.params.join(',')}) -> (${type.results.join(',')})` : '(unknown type)';
    if (type && type.params.length === 0 && type.results.length === 1 && type.results[0] === 'i32') continue;
    if (type && type.params.length === 0 && type.results.length === 0) voidSig.push(name);
    else badSig.push(`${name} ${sig}`);
  }
  if (missing.length > 0)
    return refuse('E_WASM_EXPORT', `declared exports missing from the module: ${missing.join(', ')}`);
  if (badSig.length > 0)
    return refuse('E_WASM_EXPORT', `exports without the Extism signature () -> i32: ${badSig.join(', ')}`);
  // Runtime exports the manifest does not declare are information, not plugin functions.
  const extra = report.runtimeExports.filter((n) => !names.includes(n));
  const info = extra.length > 0 ? `; runtime exports (not checked): ${extra.join(', ')}` : '';
  if (voidSig.length > 0)
    return warn(`exports return nothing (Extism expects () -> i32): ${voidSig.join(', ')}${info}`);
  return ok(`${manifest ? 'declared ' : ''}exports present with () -> i32: ${names.join(', ')}${info}`);
}

function checkPermissions(report: ScanReport, manifest: ScanDeclaration | undefined): Verdict {
  if (!manifest) return skip('no manifest given; permissions not compared with imports');
  const perms = manifest.permissions;
  const kernel = new Set(report.imports.filter((i) => i.module === EXTISM_ENV).map((i) => i.name));
  const problems: string[] = [];
  const unused: string[] = [];
  const usesHttp = [...kernel].some((n) => PERMISSIONED_IMPORTS[n] === 'allowed_hosts');
  if (usesHttp && (perms.allowed_hosts ?? []).length === 0)
    problems.push('imports http_request but declares no permissions.allowed_hosts');
  if (!usesHttp && (perms.allowed_hosts ?? []).length > 0) unused.push('allowed_hosts (no http_request import)');
  if (!kernel.has('config_get') && (perms.config_keys ?? []).length > 0)
    unused.push('config_keys (no config_get import)');
  const userImports = new Set(report.imports.filter((i) => i.module === EXTISM_USER).map((i) => i.name));
  const unusedFns = (perms.host_functions ?? []).filter((f) => !userImports.has(f));
  if (unusedFns.length > 0) unused.push(`host_functions ${unusedFns.join(', ')} (not imported)`);
  if (problems.length > 0) return refuse('E_WASM_IMPORT', problems.join('; '));
  if (kernel.has('config_get') && (perms.config_keys ?? []).length === 0)
    return warn('imports config_get but declares no config_keys; it will read no config');
  if (unused.length > 0) return warn(`declared but unused: ${unused.join('; ')}`);
  return ok('declared permissions match the imports');
}

function detectLanguage(report: ScanReport, layout: WasmLayout): string {
  const lang = layout.producers.language?.[0]?.name;
  const tools = (layout.producers['processed-by'] ?? []).map((p) => p.name.toLowerCase());
  if (tools.some((t) => t.includes('tinygo'))) return 'TinyGo';
  // GHC links through clang (wasi-sdk), so ghc decides before clang does.
  if (tools.some((t) => t.startsWith('ghc'))) return 'Haskell';
  if (lang) return lang;
  if (tools.some((t) => t.includes('rustc'))) return 'Rust';
  if (tools.some((t) => t.includes('clang'))) return 'C';
  const exports = new Set(report.exports.map((e) => e.name));
  if (exports.has('hs_init')) return 'Haskell';
  if (exports.has('__new') || exports.has('__collect') || layout.start !== undefined) return 'AssemblyScript';
  if (report.imports.some((i) => i.module === 'gojs' || i.module === 'go')) return 'Go';
  return 'unknown';
}

/**
 * The bytes V8 validates. What a custom section holds means nothing to V8 (it refuses only a name that is not UTF-8,
 * which walkSections checks; a broken `name` or `sourceMappingURL` section is ignored), yet compiling copies and
 * hashes every byte: a 10 MB module that is mostly debug info or padding took 2–10 ms to compile, its code alone
 * ~0.1 ms. So when custom sections are at least a quarter of the module, V8 gets the module without them: every
 * other section, byte for byte, in order. (V8's error offsets then count from that copy.)
 */
export function withoutLargeCustomSections(bytes: Uint8Array, layout: WasmLayout): Uint8Array {
  let custom = 0;
  for (const s of layout.sections) if (s.id === 0) custom += s.offset + s.size - s.header;
  if (custom === 0 || custom < bytes.length / 4) return bytes;
  const out = new Uint8Array(bytes.length - custom);
  out.set(bytes.subarray(0, 8)); // magic and version
  let at = 8;
  for (const s of layout.sections) {
    if (s.id === 0) continue;
    out.set(bytes.subarray(s.header, s.offset + s.size), at);
    at += s.offset + s.size - s.header;
  }
  return out;
}

function mib(n: number): string {
  return n >= MIB ? `${(n / MIB).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}
