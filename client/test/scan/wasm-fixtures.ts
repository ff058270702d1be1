// Builds test modules with the real wabt assembler, plus raw custom sections appended byte by byte.
import wabtInit from 'wabt';
import { encodeUleb as uleb } from '../../src/run/cap-memory.js';

let wabt: Awaited<ReturnType<typeof wabtInit>> | undefined;

export async function wat(source: string): Promise<Uint8Array> {
  wabt ??= await wabtInit();
  const mod = wabt.parseWat('test.wat', source);
  try {
    mod.validate();
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

/** Appends a custom section (id 0) with the given name (or raw name bytes, possibly not UTF-8) and payload size. */
export function withCustomSection(wasm: Uint8Array, name: string | number[], payloadBytes: number): Uint8Array {
  const nameBytes = typeof name === 'string' ? new TextEncoder().encode(name) : name;
  const body = [...uleb(nameBytes.length), ...nameBytes];
  const header = [0, ...uleb(body.length + payloadBytes), ...body];
  const out = new Uint8Array(wasm.length + header.length + payloadBytes);
  out.set(wasm);
  out.set(header, wasm.length);
  return out;
}

/** A minimal Extism plugin: kernel imports, one `() -> i32` export per name. */
export function pluginWat(
  opts: { imports?: string[]; exports?: string[]; memory?: string; extra?: string } = {},
): string {
  const imports = (opts.imports ?? ['(import "extism:host/env" "output_set" (func (param i64 i64)))']).join('\n');
  const exports = (opts.exports ?? ['run']).map((n) => `(func (export "${n}") (result i32) i32.const 0)`).join('\n');
  return `(module ${imports} (memory (export "memory") ${opts.memory ?? '1 4'}) ${exports} ${opts.extra ?? ''})`;
}
