import { type ErrorCode, type ExportSpec, type Permissions, WharfError } from '@wharf/schemas';
import { type ScanOptions, scanWasmModule } from '../scan/scan-wasm.js';
import type { Sieved } from '../scan/sieve-wasm.js';

/**
 * WASM admission before a module is stored or run: the review bot's own scanner (scan-wasm.ts), so a module the bot
 * would refuse (shared or 64-bit memory, foreign imports, undeclared WASI, missing or mis-typed exports, over the
 * size and count limits) is refused at install with the same code. Warnings don't refuse. V8 compiles the module
 * once, in a few ms even for MBs (DESIGN §10); it is returned for callers that read its exports.
 *
 * `exports: []` (a WXAUTO entry, which declares none) skips the declared-exports check: the caller takes the exports
 * from the module.
 */
export function admitWasm(
  bytes: Uint8Array,
  decl: { permissions: Permissions; exports: ExportSpec[] },
  /** When `bytes` is a download's sieved copy: the artifact's size, and whether it ends inside a dropped payload. */
  sieved: Pick<ScanOptions, 'size' | 'truncated'> = {},
): WebAssembly.Module {
  const { report, module } = scanWasmModule(bytes, decl, sieved);
  const failed = report.checks.find(
    (c) => c.status === 'fail' && !(c.id === 'wasm.exports' && decl.exports.length === 0),
  );
  if (failed) {
    const m = /^(E_[A-Z_]+): ([\s\S]*)$/.exec(failed.message);
    const code = (m?.[1] ?? 'E_WASM_INVALID') as ErrorCode;
    throw new WharfError(code, `The artifact fails the WASM check ${failed.id}: ${m?.[2] ?? failed.message}.`);
  }
  if (!module) throw new WharfError('E_WASM_INVALID', 'The artifact is not a valid WebAssembly module.');
  return module;
}

/** Admission of a download's sieved copy (sieve-wasm.ts): refused exactly where the whole module would be. */
export function admitSieved(
  sieved: Sieved,
  decl: { permissions: Permissions; exports: ExportSpec[] },
  size: number,
): WebAssembly.Module {
  return admitWasm(sieved.bytes, decl, { size, truncated: !sieved.complete });
}
