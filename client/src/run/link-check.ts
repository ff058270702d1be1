import { WharfError } from '@wharf/schemas';
import { EXTISM_KERNEL_IMPORTS } from '../scan/extism-abi.js';

// rc13 instantiates inside its worker; an import it cannot resolve there throws in the worker, surfaces as an
// unhandled 'error' event (which ends a CLI process) and leaves createPlugin waiting for its timeout. So the sandbox
// compiles the module itself and checks every import against what it will provide before starting a worker.

/**
 * The kernel functions @extism/extism 2.0.0-rc13 provides in `extism:host/env` (its CallContext): the scanner's
 * kernel ABI list minus the two names rc13 lacks, which would otherwise fail inside the worker.
 */
const RC13_MISSING = new Set(['reset', 'memory_bytes']);
const RC13_KERNEL = new Set([...EXTISM_KERNEL_IMPORTS].filter((n) => !RC13_MISSING.has(n)));

export interface Provided {
  wasi: boolean;
  /** Namespace → function names the host links (user host functions, the alloc guard). */
  functions: Record<string, string[]>;
}

/** Compiles `wasm`, mapping V8's refusals onto WASM codes. */
export async function compileModule(id: string, wasm: Uint8Array): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(new Uint8Array(wasm));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    // V8 refuses, among others, modules over 1,000,000 functions (DESIGN §10): a limit, not a broken module.
    throw new WharfError(/internal limit/.test(msg) ? 'E_WASM_LIMITS' : 'E_WASM_INVALID', `${id}: ${msg}`);
  }
}

export function checkLinkable(id: string, mod: WebAssembly.Module, provided: Provided): void {
  for (const imp of WebAssembly.Module.imports(mod)) {
    const where = `"${imp.module}" "${imp.name}"`;
    let ok = false;
    if (imp.kind === 'function') {
      if (imp.module === 'extism:host/env') ok = RC13_KERNEL.has(imp.name);
      else if (imp.module === 'wasi_snapshot_preview1') ok = provided.wasi;
      else ok = provided.functions[imp.module]?.includes(imp.name) ?? false;
    }
    if (!ok) {
      const why =
        imp.kind !== 'function'
          ? `a ${imp.kind} import, which Extism cannot provide`
          : imp.module === 'wasi_snapshot_preview1'
            ? 'WASI, which its permissions do not declare'
            : imp.module === 'extism:host/user'
              ? 'a host function that is not declared in its permissions or not offered by this host'
              : 'not part of the Extism kernel this host runs';
      throw new WharfError('E_WASM_IMPORT', `${id} imports ${where}: ${why}.`);
    }
  }
}
