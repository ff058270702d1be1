import { type ErrorCode, type ExportSpec, type Permissions, WharfError } from '@wharf/schemas';
import { scanWasmModule } from '../scan/scan-wasm.js';

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
): WebAssembly.Module {
  const { report, module } = scanWasmModule(bytes, decl);
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
