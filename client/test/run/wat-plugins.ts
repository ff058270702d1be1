// Real plugins for the sandbox tests, written in WAT against the Extism kernel ABI (extism:host/env) and compiled
// with the real wabt assembler, so every test runs genuine .wasm through genuine Extism.
export { wat } from '../scan/wasm-fixtures.js';

/** `$input_block`: the call's input copied into a new host block. Needs the kernel's input_length, input_load_u8, alloc and store_u8. */
export const INPUT_BLOCK = `(func $input_block (result i64)
    (local $len i64) (local $i i64) (local $b i64)
    (local.set $len (call $input_length))
    (local.set $b (call $alloc (local.get $len)))
    (block $done (loop $copy
      (br_if $done (i64.ge_u (local.get $i) (local.get $len)))
      (call $store_u8 (i64.add (local.get $b) (local.get $i)) (call $input_load_u8 (local.get $i)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $copy)))
    (local.get $b))`;

/** Kernel imports and helpers: $input_block (input → new host block), $mem_block, $out_block and $out_num (decimal i32 as output). */
const KERNEL = `
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
  (import "extism:host/env" "var_get" (func $var_get (param i64) (result i64)))
  (import "extism:host/env" "http_request" (func $http_request (param i64 i64) (result i64)))
  (import "extism:host/env" "http_status_code" (func $http_status_code (result i32)))

  ${INPUT_BLOCK}

  ;; linear memory [ptr, ptr+len) → a new host block
  (func $mem_block (param $ptr i32) (param $len i32) (result i64)
    (local $b i64) (local $i i32)
    (local.set $b (call $alloc (i64.extend_i32_u (local.get $len))))
    (block $done (loop $copy
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (call $store_u8 (i64.add (local.get $b) (i64.extend_i32_u (local.get $i)))
        (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $copy)))
    (local.get $b))

  (func $out_block (param $b i64) (call $output_set (local.get $b) (call $length (local.get $b))))

  ;; decimal digits of n written right to left ending at byte 64, then output
  (func $out_num (param $n i32)
    (local $p i32)
    (local.set $p (i32.const 64))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digit (i32.ne (local.get $n) (i32.const 0))))
    (call $out_block (call $mem_block (local.get $p) (i32.sub (i32.const 64) (local.get $p)))))
`;

/** One module with every misbehaviour as its own export; memory declares no maximum on purpose. */
export const HOSTILE_WAT = `(module ${KERNEL}
  (memory (export "memory") 1)
  (data (i32.const 100) "k")

  (func (export "echo") (result i32) (call $out_block (call $input_block)) (i32.const 0))

  (func (export "spin") (result i32) (loop $l (br $l)) (i32.const 0))

  ;; grow one page at a time, touching each new page, until grow fails; report the pages reached
  (func (export "grow_until_refused") (result i32)
    (local $old i32)
    (block $refused (loop $l
      (local.set $old (memory.grow (i32.const 1)))
      (br_if $refused (i32.eq (local.get $old) (i32.const -1)))
      (i32.store8 (i32.mul (local.get $old) (i32.const 65536)) (i32.const 1))
      (br $l)))
    (call $out_num (memory.size))
    (i32.const 0))

  ;; the classic bomb: grow forever, trap when refused
  (func (export "bomb") (result i32)
    (loop $l
      (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
    unreachable)

  (func $recurse (param $n i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
  (func (export "recurse") (result i32) (call $recurse (i32.const 0)))

  ;; output a block as long as the input says (decimal is overkill: input length = output MiB)
  (func (export "huge_output") (result i32)
    (local $b i64) (local $n i64)
    (local.set $n (i64.mul (call $input_length) (i64.const 1048576)))
    (local.set $b (call $alloc (local.get $n)))
    (call $output_set (local.get $b) (local.get $n))
    (i32.const 0))

  ;; var "k" = the input; then read it back as output
  (func (export "set_var") (result i32)
    (call $var_set (call $mem_block (i32.const 100) (i32.const 1)) (call $input_block))
    (call $out_block (call $var_get (call $mem_block (i32.const 100) (i32.const 1))))
    (i32.const 0))

  ;; allocate 1 MiB blocks and touch every page of each, refused or not: a refused block still sits at the next
  ;; index in rc13, and addresses are index << 48
  (func (export "alloc_bomb") (result i32)
    (local $first i64) (local $i i64) (local $addr i64) (local $p i64)
    (local.set $first (call $alloc (i64.const 1)))
    (loop $l
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (drop (call $alloc (i64.const 1048576)))
      (local.set $addr (i64.add (local.get $first) (i64.shl (local.get $i) (i64.const 48))))
      (local.set $p (i64.const 0))
      (block $done (loop $touch
        (br_if $done (i64.ge_u (local.get $p) (i64.const 1048576)))
        (call $store_u8 (i64.add (local.get $addr) (local.get $p)) (i32.const 1))
        (local.set $p (i64.add (local.get $p) (i64.const 4096)))
        (br $touch)))
      (br_if $l (i64.lt_u (local.get $i) (i64.const 300))))
    (i32.const 0))

  (func (export "get_var") (result i32)
    (call $out_block (call $var_get (call $mem_block (i32.const 100) (i32.const 1))))
    (i32.const 0))

  ;; input is an Extism HTTP request JSON; output the response body, or the status when there is none
  (func (export "fetch") (result i32)
    (local $resp i64)
    (local.set $resp (call $http_request (call $input_block) (i64.const 0)))
    (if (i64.eqz (local.get $resp))
      (then (call $out_num (call $http_status_code)))
      (else (call $out_block (local.get $resp))))
    (i32.const 0))
)`;

export const START_LOOP_WAT = `(module
  (func $start (loop $l (br $l)))
  (start $start)
  (func (export "run") (result i32) (i32.const 0)))`;

/** WASI: read a file relative to the first preopen (fd 3); output its bytes, or "errno N". */
export const WASI_READ_WAT = `(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  ${KERNEL}
  (memory (export "memory") 1)
  (func (export "read") (result i32)
    (local $len i32) (local $i i32) (local $err i32)
    (local.set $len (i32.wrap_i64 (call $input_length)))
    (block $done (loop $copy
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (i32.store8 (i32.add (i32.const 1024) (local.get $i)) (call $input_load_u8 (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $copy)))
    ;; rights: fd_read (bit 1)
    (local.set $err (call $path_open (i32.const 3) (i32.const 0) (i32.const 1024) (local.get $len)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 16)))
    (if (i32.ne (local.get $err) (i32.const 0))
      (then (call $out_num (i32.add (i32.const 100000) (local.get $err))) (return (i32.const 0))))
    (i32.store (i32.const 32) (i32.const 4096))
    (i32.store (i32.const 36) (i32.const 4096))
    (local.set $err (call $fd_read (i32.load (i32.const 16)) (i32.const 32) (i32.const 1) (i32.const 40)))
    (if (i32.ne (local.get $err) (i32.const 0))
      (then (call $out_num (i32.add (i32.const 100000) (local.get $err))) (return (i32.const 0))))
    (call $out_block (call $mem_block (i32.const 4096) (i32.load (i32.const 40))))
    (i32.const 0))
)`;

/**
 * Twelve funcref tables that declare no maximum, and exports that grow them: the table bomb traps once the host
 * refuses a grow, the table spin keeps asking forever (ignoring the refusals) until the deadline.
 */
export const TABLES_WAT = `(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  ${Array.from({ length: 12 }, (_, i) => `(table $t${i} 1 funcref)`).join('\n  ')}

  ;; grow every table by up to 2M entries at a time until each grow is refused; trap then
  (func (export "table_bomb") (result i32)
    (local $grown i32)
    (loop $l
      (local.set $grown (i32.const 0))
      ${Array.from(
        { length: 12 },
        (_, i) => `(if (i32.ne (table.grow $t${i} (ref.null func) (i32.const 2000000)) (i32.const -1))
        (then (local.set $grown (i32.const 1))))`,
      ).join('\n      ')}
      (br_if $l (local.get $grown)))
    unreachable)

  ;; ask for more entries forever, ignoring refusals
  (func (export "table_spin") (result i32)
    (loop $l (drop (table.grow $t0 (ref.null func) (i32.const 65536))) (br $l))
    (i32.const 0))

  ;; grow every table one entry at a time until refused, then output the total entries
  (func (export "table_fill") (result i32)
    ${Array.from(
      { length: 12 },
      (_, i) =>
        `(loop $g${i} (br_if $g${i} (i32.ne (table.grow $t${i} (ref.null func) (i32.const 1)) (i32.const -1))))`,
    ).join('\n    ')}
    (call $out_entries)
    (i32.const 0))

  (func (export "table_entries") (result i32) (call $out_entries) (i32.const 0))

  ;; total table entries, as decimal output
  (func $out_entries
    (local $n i32) (local $p i32) (local $b i64) (local $i i32)
    (local.set $n ${Array.from({ length: 12 }, (_, i) => `(table.size $t${i})`).reduce((a, b) => `(i32.add ${a} ${b})`)})
    (local.set $p (i32.const 64))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digit (i32.ne (local.get $n) (i32.const 0))))
    (local.set $b (call $alloc (i64.extend_i32_u (i32.sub (i32.const 64) (local.get $p)))))
    (block $done (loop $copy
      (br_if $done (i32.ge_u (i32.add (local.get $p) (local.get $i)) (i32.const 64)))
      (call $store_u8 (i64.add (local.get $b) (i64.extend_i32_u (local.get $i)))
        (i32.load8_u (i32.add (local.get $p) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $copy)))
    (call $output_set (local.get $b) (call $length (local.get $b))))
)`;

/** Twelve tables of 10M entries each at start (V8's largest): 3.3 GB of RSS when nothing caps them. */
export const BIG_TABLES_WAT = `(module
  (memory (export "memory") 1)
  ${Array.from({ length: 12 }, () => '(table 10000000 funcref)').join('\n  ')}
  (func (export "run") (result i32) (i32.const 0)))`;

/** Return codes: `code` returns the input's length (0 for no input); `reported` sets an error and returns 2. */
export const EXIT_CODE_WAT = `(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))
  (memory (export "memory") 1)
  (global $calls (mut i32) (i32.const 0))
  (func (export "code") (result i32)
    (call $output_set (call $alloc (i64.const 2)) (i64.const 2))
    (i32.wrap_i64 (call $input_length)))
  (func (export "reported") (result i32)
    (local $b i64)
    (local.set $b (call $alloc (i64.const 4)))
    (call $store_u8 (local.get $b) (i32.const 111))
    (call $store_u8 (i64.add (local.get $b) (i64.const 1)) (i32.const 111))
    (call $store_u8 (i64.add (local.get $b) (i64.const 2)) (i32.const 112))
    (call $store_u8 (i64.add (local.get $b) (i64.const 3)) (i32.const 115))
    (call $error_set (local.get $b))
    (i32.const 2))
  ;; counts its calls in linear memory state (a global): the instance survives a failed call
  (func (export "count") (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (call $output_set (call $alloc (i64.extend_i32_u (global.get $calls))) (i64.extend_i32_u (global.get $calls)))
    (i32.const 0))
  (func (export "void_ok")))`;
