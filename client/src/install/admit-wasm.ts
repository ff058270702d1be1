import { type ErrorCode, type ExportSpec, type Permissions, WharfError } from '@wharf/schemas';
import { DEFAULT_SCAN_LIMITS, scanWasmModule } from '../scan/scan-wasm.js';
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
  /** The artifact's size, when `bytes` is its sieved copy (download-artifact.ts). */
  size?: number,
): WebAssembly.Module {
  const { report, module } = scanWasmModule(bytes, decl, size === undefined ? {} : { size });
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

/**
 * Admission of a download's sieved copy (sieve-wasm.ts): refused where the whole module would be, and also when it
 * ends inside a custom section whose payload the sieve dropped (the whole module is then truncated).
 */
export function admitSieved(
  sieved: Sieved,
  decl: { permissions: Permissions; exports: ExportSpec[] },
  size: number,
): WebAssembly.Module {
  // In the scanner's order: its size first, then the section walk, which refuses a truncated module.
  if (!sieved.complete && size <= DEFAULT_SCAN_LIMITS.maxBytes)
    throw new WharfError(
      'E_WASM_INVALID',
      'The artifact fails the WASM check wasm.valid: not a valid WebAssembly module: it ends inside a custom section.',
    );
  return admitWasm(sieved.bytes, decl, size);
}
