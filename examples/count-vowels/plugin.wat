;; count-vowels: counts the ASCII vowels (aeiouAEIOU) in the input and
;; outputs JSON such as {"count":3}.
;;
;; How an Extism plugin talks to its host (the "kernel ABI"):
;;   - The host keeps its own memory, addressed by i64 offsets. The call's
;;     input lives there; we read it byte by byte with input_load_u8.
;;   - To return data we alloc a block in host memory, fill it with
;;     store_u8, and hand it over with output_set.
;;   - An export takes no parameters and returns an i32 (0 = success).
;; All imports come from the single module "extism:host/env".
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))

  ;; One 64 KiB page with a declared maximum, so the module can never grow
  ;; its memory (hosts can only cap memory that declares a maximum).
  (memory 1 1)

  ;; Scratch layout in our own linear memory:
  ;;   [0, 9)    the JSON prefix {"count":
  ;;   [32, 52)  room for up to 20 decimal digits, written right to left
  ;;   52        the closing }
  (data (i32.const 0) "{\22count\22:")

  ;; Copy len bytes of our linear memory at ptr into a fresh host block and
  ;; make that block the call's output.
  (func $output_bytes (param $ptr i32) (param $len i32)
    (local $block i64)
    (local $i i32)
    ;; The block must be exactly len bytes: the JS host returns the whole block.
    (local.set $block (call $alloc (i64.extend_i32_u (local.get $len))))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (call $store_u8
          (i64.add (local.get $block) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (call $output_set (local.get $block) (i64.extend_i32_u (local.get $len))))

  (func (export "count_vowels") (result i32)
    (local $len i64)
    (local $i i64)
    (local $count i64)
    (local $c i32)
    (local $p i32)

    ;; 1. Count vowels.
    (local.set $len (call $input_length))
    (block $done
      (loop $scan
        (br_if $done (i64.ge_u (local.get $i) (local.get $len)))
        ;; OR-ing 0x20 lower-cases ASCII letters; no other byte lands on
        ;; a lower-case vowel, so one comparison per vowel is enough.
        (local.set $c (i32.or (call $input_load_u8 (local.get $i)) (i32.const 0x20)))
        (if (i32.or
              (i32.or
                (i32.or (i32.eq (local.get $c) (i32.const 0x61))   ;; a
                        (i32.eq (local.get $c) (i32.const 0x65)))  ;; e
                (i32.or (i32.eq (local.get $c) (i32.const 0x69))   ;; i
                        (i32.eq (local.get $c) (i32.const 0x6f)))) ;; o
              (i32.eq (local.get $c) (i32.const 0x75)))            ;; u
          (then (local.set $count (i64.add (local.get $count) (i64.const 1)))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $scan)))

    ;; 2. Write the digits of count right to left, ending just before 52
    ;;    (do-while, so 0 still prints one digit).
    (local.set $p (i32.const 52))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 0x30) (i32.wrap_i64 (i64.rem_u (local.get $count) (i64.const 10)))))
      (local.set $count (i64.div_u (local.get $count) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $count) (i64.const 0))))
    (i32.store8 (i32.const 52) (i32.const 0x7d)) ;; }

    ;; 3. Move the 9-byte prefix to sit right before the digits, so the
    ;;    whole answer is one contiguous run [p-9, 53).
    (local.set $p (i32.sub (local.get $p) (i32.const 9)))
    (i64.store (local.get $p) (i64.load (i32.const 0)))          ;; bytes 0-7
    (i32.store8 offset=8 (local.get $p) (i32.load8_u (i32.const 8))) ;; byte 8

    (call $output_bytes (local.get $p) (i32.sub (i32.const 53) (local.get $p)))
    (i32.const 0))
)
