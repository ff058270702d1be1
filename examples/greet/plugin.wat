;; greet: outputs "<greeting>, <input>!".
;; The greeting comes from the host config key "greeting" (default "Hello"),
;; e.g. config {greeting: "Hi"} and input "Wharf" give "Hi, Wharf!".
;; An empty input is an error, reported through error_set.
;;
;; Extism kernel ABI recap: the host owns a separate memory addressed by i64
;; offsets. We read the input with input_load_u8, build blocks there with
;; alloc + store_u8, read blocks the host gave us with load_u8 + length,
;; and finish with output_set (success) or error_set (failure).
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "free" (func $free (param i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))

  ;; Only constant strings live here; one page, never allowed to grow.
  (memory 1 1)
  (data (i32.const 0)  "greeting")                          ;; config key, 8 bytes
  (data (i32.const 16) "Hello")                             ;; default, 5 bytes
  (data (i32.const 32) "greet: input (a name) is required") ;; error, 33 bytes

  ;; Copy len bytes of our linear memory at ptr into host memory at dst.
  (func $put_local (param $dst i64) (param $ptr i32) (param $len i32)
    (local $i i32)
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (call $store_u8
          (i64.add (local.get $dst) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy))))

  ;; Copy a constant string into a new host block and return its offset.
  (func $host_string (param $ptr i32) (param $len i32) (result i64)
    (local $block i64)
    (local.set $block (call $alloc (i64.extend_i32_u (local.get $len))))
    (call $put_local (local.get $block) (local.get $ptr) (local.get $len))
    (local.get $block))

  (func (export "greet") (result i32)
    (local $in_len i64)
    (local $cfg i64)      ;; host offset of the configured greeting, 0 if unset
    (local $g_len i64)
    (local $out i64)
    (local $at i64)       ;; write cursor in the output block
    (local $i i64)

    (local.set $in_len (call $input_length))
    (if (i64.eqz (local.get $in_len))
      (then
        ;; error_set makes the host's call() fail with this message; the
        ;; return code alone is ignored by some hosts (DESIGN §10).
        (call $error_set (call $host_string (i32.const 32) (i32.const 33)))
        (return (i32.const 1))))

    ;; config_get takes the key as a host block and returns the value's
    ;; block, or 0 when the key is not set.
    (local.set $cfg (call $config_get (call $host_string (i32.const 0) (i32.const 8))))
    (local.set $g_len
      (if (result i64) (i64.eqz (local.get $cfg))
        (then (i64.const 5))
        (else (call $length (local.get $cfg)))))

    ;; Output block sized exactly: greeting + ", " + input + "!".
    (local.set $out (call $alloc
      (i64.add (i64.add (local.get $g_len) (local.get $in_len)) (i64.const 3))))

    ;; greeting
    (if (i64.eqz (local.get $cfg))
      (then (call $put_local (local.get $out) (i32.const 16) (i32.const 5)))
      (else
        (block $done
          (loop $copy
            (br_if $done (i64.ge_u (local.get $i) (local.get $g_len)))
            (call $store_u8 (i64.add (local.get $out) (local.get $i))
                            (call $load_u8 (i64.add (local.get $cfg) (local.get $i))))
            (local.set $i (i64.add (local.get $i) (i64.const 1)))
            (br $copy)))
        (call $free (local.get $cfg))))
    (local.set $at (i64.add (local.get $out) (local.get $g_len)))

    ;; ", "
    (call $store_u8 (local.get $at) (i32.const 0x2c))
    (call $store_u8 (i64.add (local.get $at) (i64.const 1)) (i32.const 0x20))
    (local.set $at (i64.add (local.get $at) (i64.const 2)))

    ;; input
    (local.set $i (i64.const 0))
    (block $done
      (loop $copy
        (br_if $done (i64.ge_u (local.get $i) (local.get $in_len)))
        (call $store_u8 (i64.add (local.get $at) (local.get $i))
                        (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $copy)))

    ;; "!"
    (call $store_u8 (i64.add (local.get $at) (local.get $in_len)) (i32.const 0x21))

    (call $output_set (local.get $out) (call $length (local.get $out)))
    (i32.const 0))
)
