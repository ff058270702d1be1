// A plugin for the MCP tests, published and installed like any other: its echo exports hand the input back without
// copying it (output_set over the input block), `size` reports the input's byte length, so inputs of many MiB stay
// fast. Each export carries the schemas a test needs.
import type { Manifest } from '@wharf/schemas';
import { manifestFor } from '../../../test/host/local-registry.js';
import { wat } from '../run/wat-plugins.js';

const ECHOES = ['echo_obj', 'echo_list', 'echo_text', 'bad_out'];

export const PROBE_WAT = `(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  (func $echo (result i32) (call $output_set (call $input_offset) (call $input_length)) (i32.const 0))
  ${ECHOES.map((n) => `(func (export "${n}") (result i32) (call $echo))`).join('\n  ')}
  ;; the input's length in decimal, in a host block of exactly its digits (Extism outputs whole blocks)
  (func (export "size") (result i32)
    (local $n i64) (local $d i64) (local $b i64)
    (local.set $n (call $input_length))
    (local.set $d (i64.const 1))
    (block $counted (loop $count
      (br_if $counted (i64.lt_u (local.get $n) (i64.const 10)))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (local.set $d (i64.add (local.get $d) (i64.const 1)))
      (br $count)))
    (local.set $n (call $input_length))
    (local.set $b (call $alloc (local.get $d)))
    (call $output_set (local.get $b) (local.get $d))
    (loop $digit
      (local.set $d (i64.sub (local.get $d) (i64.const 1)))
      (call $store_u8 (i64.add (local.get $b) (local.get $d))
        (i32.wrap_i64 (i64.add (i64.const 48) (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $d) (i64.const 0))))
    (i32.const 0)))`;

export function probeManifest(id = 'probe', version = '1.0.0'): Manifest {
  const m = manifestFor(id, version, 'size');
  m.exports = [
    {
      name: 'echo_obj',
      description: 'Echo the arguments',
      input_schema: {
        type: 'object',
        properties: { text: { type: 'string' }, n: { type: 'integer' } },
        required: ['text'],
      },
      output_schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    },
    {
      name: 'echo_list',
      description: 'Echo a list of integers',
      input_schema: { type: 'array', items: { type: 'integer' } },
      output_schema: { type: 'array', items: { type: 'integer' } },
    },
    { name: 'echo_text', description: 'Echo text', output_schema: { type: 'string', maxLength: 10 } },
    {
      name: 'bad_out',
      description: 'Promises an object, returns the text it got',
      input_schema: { type: 'string' },
      output_schema: { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] },
    },
    { name: 'size', description: 'Byte length of the input' },
  ];
  return m;
}

export const probeWasm = (): Promise<Uint8Array> => wat(PROBE_WAT);
