// WASM fixtures shaped like real third-party Extism builds: the import namespaces, exported functions, start section,
// memory and producers of each row of ../shared/data/real-plugin-shapes/shapes.tsv, assembled with the real wabt.
// The TSV gives namespaces and export names, not signatures: each name gets the signature its toolchain gives it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeUleb as uleb } from '../../src/run/cap-memory.js';
import { wat } from './wasm-fixtures.js';

export const SHAPES_TSV = resolve(import.meta.dirname, '../../../../shared/data/real-plugin-shapes/shapes.tsv');

export interface RealShape {
  file: string;
  producers: string;
  namespaces: string[];
  exports: string[];
  start: boolean;
  memory: { min: number } | undefined;
}

export function readShapes(path = SHAPES_TSV): RealShape[] {
  const [, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n');
  return rows.map((row) => {
    const [file, , , , , producers, namespaces, exports, start, memory] = row.split('\t') as string[];
    const list = (s: string | undefined) => (!s || s === '-' ? [] : s.split(' ').filter(Boolean));
    const min = /^(\d+)\//.exec(memory ?? '');
    return {
      file: file as string,
      producers: producers ?? '-',
      namespaces: list(namespaces),
      exports: list(exports),
      start: start === 'yes',
      memory: min ? { min: Number(min[1]) } : undefined,
    };
  });
}

// What each toolchain's runtime exports look like (TinyGo/wasi-libc allocators, Binaryen asyncify, GHC, WASI).
const RUNTIME_SIGS: Record<string, string> = {
  malloc: '(param i32) (result i32)',
  free: '(param i32)',
  calloc: '(param i32 i32) (result i32)',
  realloc: '(param i32 i32) (result i32)',
  asyncify_start_unwind: '(param i32)',
  asyncify_stop_unwind: '',
  asyncify_start_rewind: '(param i32)',
  asyncify_stop_rewind: '',
  asyncify_get_state: '(result i32)',
  hs_init: '(param i32 i32)',
  _start: '',
  _initialize: '',
  __main_void: '(result i32)',
};
// The Extism kernel module itself (extism-runtime.wasm) exports its ABI over i64 offsets: it is no plugin.
const KERNEL_SIG = '(param i64) (result i64)';
// Fluvio's SmartModule ABI (alloc/dealloc/map over i32 pointers), a foreign plugin ABI.
const FLUVIO_SIGS: Record<string, string> = {
  alloc: '(param i32) (result i32)',
  dealloc: '(param i32 i32)',
  map: '(param i32 i32) (result i32)',
};

const IMPORTS: Record<string, string> = {
  'extism:host/env': [
    '(import "extism:host/env" "input_length" (func (result i64)))',
    '(import "extism:host/env" "output_set" (func (param i64 i64)))',
  ].join(' '),
  'extism:host/user': '(import "extism:host/user" "host_reflect" (func (param i64) (result i64)))',
  wasi_snapshot_preview1: '(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))',
};

function signature(shape: RealShape, name: string): string {
  if (shape.file.startsWith('extism__runtime_src_extism-runtime')) return KERNEL_SIG;
  if (shape.file.includes('fluvio')) return FLUVIO_SIGS[name] ?? '(result i32)';
  return RUNTIME_SIGS[name] ?? '(result i32)'; // a plugin function: Extism's () -> i32
}

export function shapeWat(shape: RealShape): string {
  const imports = shape.namespaces.map(
    (ns) => IMPORTS[ns] ?? `(import ${JSON.stringify(ns)} "f" (func (param i32) (result i32)))`,
  );
  const funcs = shape.exports.map((name) => {
    const sig = signature(shape, name);
    const body = sig.includes('(result i64)') ? 'i64.const 0' : sig.includes('(result i32)') ? 'i32.const 0' : '';
    return `(func (export ${JSON.stringify(name)}) ${sig} ${body})`;
  });
  const memory = shape.memory ? `(memory (export "memory") ${shape.memory.min})` : '';
  const start = shape.start ? '(func $init) (start $init)' : '';
  return `(module ${imports.join(' ')} ${memory} ${funcs.join(' ')} ${start})`;
}

/**
 * The producers column ("C11, C99, clang 16.0.1, TinyGo 0.30.0") as a producers custom section: bare names and
 * known languages (with an optional version) go under "language", tools under "processed-by".
 */
export function producersSection(column: string): Uint8Array | undefined {
  if (column === '-' || column.trim() === '') return undefined;
  const languages = new Set(['C11', 'C99', 'C_plus_plus_14', 'Rust', 'Go']);
  const fields: Record<string, [string, string][]> = {};
  for (const item of column.split(', ')) {
    const m = /^(.*?)(?: ((?:go)?\d[^ ]*))?$/.exec(item) as RegExpExecArray;
    const name = m[1] as string;
    const field = languages.has(name) || m[2] === undefined ? 'language' : 'processed-by';
    fields[field] = [...(fields[field] ?? []), [name, m[2] ?? '']];
  }
  const enc = (s: string) => {
    const b = new TextEncoder().encode(s);
    return [...uleb(b.length), ...b];
  };
  const entries = Object.entries(fields);
  const payload = [
    ...uleb(entries.length),
    ...entries.flatMap(([f, vals]) => [
      ...enc(f),
      ...uleb(vals.length),
      ...vals.flatMap(([n, v]) => [...enc(n), ...enc(v)]),
    ]),
  ];
  const body = [...enc('producers'), ...payload];
  return new Uint8Array([0, ...uleb(body.length), ...body]);
}

export async function shapeWasm(shape: RealShape): Promise<Uint8Array> {
  const module = await wat(shapeWat(shape));
  const producers = producersSection(shape.producers);
  if (!producers) return module;
  const out = new Uint8Array(module.length + producers.length);
  out.set(module);
  out.set(producers, module.length);
  return out;
}
