// What an Extism plugin may import (kernel ABI v1 as linked by @extism/extism 2.x) and which namespaces betray a
// module built for another runtime.

export const EXTISM_ENV = 'extism:host/env';
export const EXTISM_USER = 'extism:host/user';
export const WASI_P1 = 'wasi_snapshot_preview1';

export const EXTISM_KERNEL_IMPORTS: ReadonlySet<string> = new Set([
  'alloc',
  'free',
  'length',
  'length_unsafe',
  'load_u8',
  'load_u64',
  'store_u8',
  'store_u64',
  'input_length',
  'input_offset',
  'input_load_u8',
  'input_load_u64',
  'output_set',
  'error_set',
  'error_get',
  'config_get',
  'var_get',
  'var_set',
  'http_request',
  'http_status_code',
  'http_headers',
  'log_info',
  'log_debug',
  'log_warn',
  'log_error',
  'log_trace',
  'get_log_level',
  'reset',
  'memory_bytes',
]);

/** Kernel imports that a permission must back: import name → the permission that allows it. */
export const PERMISSIONED_IMPORTS: Readonly<Record<string, 'allowed_hosts' | 'config_keys'>> = {
  http_request: 'allowed_hosts',
  http_status_code: 'allowed_hosts',
  http_headers: 'allowed_hosts',
  config_get: 'config_keys',
};

/** Namespaces of other runtimes' host APIs, named so the refusal can say what the module was built for. */
export const FOREIGN_NAMESPACES: Readonly<Record<string, string>> = {
  env: 'Emscripten/AssemblyScript/C "env" host imports',
  wasi_unstable: 'legacy WASI (wasi_unstable)',
  wbg: 'wasm-bindgen (browser JS glue)',
  __wbindgen_placeholder__: 'wasm-bindgen (browser JS glue)',
  __wbindgen_externref_xform__: 'wasm-bindgen (browser JS glue)',
  go: 'Go js/wasm (syscall/js)',
  gojs: 'Go js/wasm (syscall/js)',
  spectest: 'the WebAssembly spec test harness',
  wasi: 'a WASI preview 2 component',
};
