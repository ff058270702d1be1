import { type ExportSpec, type Permissions, WharfError } from '@wharf/schemas';

/** The imports an Extism plugin may have: the kernel ABI, and WASI only when declared. */
const EXTISM_ENV = 'extism:host/env';
const WASI = 'wasi_snapshot_preview1';

/**
 * WASM admission before a module is stored or run: it must compile, import only what its permissions allow,
 * and export what it declares. Compiling in V8 takes a few ms even for MBs (DESIGN §10).
 */
export function admitWasm(
  bytes: Uint8Array,
  decl: { permissions: Permissions; exports: ExportSpec[] },
): WebAssembly.Module {
  let mod: WebAssembly.Module;
  try {
    mod = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new WharfError('E_WASM_INVALID', `The artifact is not a valid WebAssembly module: ${(e as Error).message}`);
  }
  const hostFns = new Set(decl.permissions.host_functions ?? []);
  for (const imp of WebAssembly.Module.imports(mod)) {
    if (imp.module === EXTISM_ENV) continue;
    if (imp.module === WASI && decl.permissions.wasi) continue;
    if (imp.module === 'extism:host/user' && hostFns.has(imp.name)) continue;
    throw new WharfError(
      'E_WASM_IMPORT',
      `The module imports ${imp.module}.${imp.name}, which its declared permissions don't allow.`,
    );
  }
  const exported = new Set(
    WebAssembly.Module.exports(mod)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name),
  );
  for (const ex of decl.exports) {
    if (!exported.has(ex.name))
      throw new WharfError('E_WASM_EXPORT', `The module doesn't export the declared function "${ex.name}".`);
  }
  return mod;
}
