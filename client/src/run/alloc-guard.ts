import { WharfError } from '@wharf/schemas';

// rc13's `alloc` creates the new host-side block before it checks the block cap, keeps it when it refuses (returning
// 0), and ships every new block to the main thread on the next host call. Block addresses are predictable
// (index << 48), so without a guard a plugin could keep allocating refused blocks and touch them with store_u8, or
// ask for one 4 GiB block, and grow the host's RSS until the timeout. This tiny module sits between the plugin and
// Extism's alloc (cap-memory.ts redirects the plugin's import to it): a block over the per-block cap is refused
// before Extism sees it, and the first allocation Extism refuses ends the call, so the plugin never touches a
// refused block. Either way the host callback fails the call; the sandbox then discards the instance.
//
// The bytes below were assembled with wabt from ALLOC_GUARD_WAT (client/test/run/alloc-guard.test.ts re-assembles
// and compares). The i64.const is a 9-byte LEB128 placeholder (2^56) patched with the real cap, so the module's
// layout never changes.

/** Manifest name of the guard module; the plugin imports `alloc` from it. */
export const ALLOC_GUARD_MODULE = 'wharf:alloc-guard';
/** Host namespace of the guard's callback. */
export const WHARF_HOST = 'wharf:host';

export const ALLOC_GUARD_WAT = `(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "${WHARF_HOST}" "alloc_refused" (func $refused (param i64 i32)))
  (func (export "alloc") (param $n i64) (result i64)
    (local $b i64)
    (if (i64.gt_u (local.get $n) (i64.const 72057594037927936))
      (then (call $refused (local.get $n) (i32.const 0)) unreachable))
    (local.set $b (call $alloc (local.get $n)))
    (if (i64.eqz (local.get $b))
      (then (call $refused (local.get $n) (i32.const 1)) unreachable))
    (local.get $b)))`;

const TEMPLATE = Buffer.from(
  'AGFzbQEAAAABCwJgAX4BfmACfn8AAjQCD2V4dGlzbTpob3N0L2VudgVhbGxvYwAACndoYXJmOmhvc3QNYWxsb2NfcmVmdXNlZAABAwIBAAcJAQVhbGxvYwACCjIBMAEBfiAAQoCAgICAgICAAVYEQCAAQQAQAQALIAAQACEBIAFQBEAgAEEBEAEACyABCw==',
  'base64',
);
/** i64.const 2^56 as wabt encodes it: opcode 0x42, then 9 LEB128 bytes. */
const PLACEHOLDER = Buffer.from('42808080808080808001', 'hex');
const PLACEHOLDER_AT = TEMPLATE.indexOf(PLACEHOLDER);

/** The guard with `maxBlockBytes` as the largest block a plugin may allocate. */
export function allocGuardWasm(maxBlockBytes: number): Uint8Array {
  if (!Number.isSafeInteger(maxBlockBytes) || maxBlockBytes < 0 || maxBlockBytes >= 2 ** 55)
    throw new RangeError(`block cap ${maxBlockBytes} out of range`);
  const out = Uint8Array.from(TEMPLATE);
  let n = maxBlockBytes;
  for (let i = 0; i < 9; i++) {
    const group = n % 128;
    n = Math.floor(n / 128);
    out[PLACEHOLDER_AT + 1 + i] = i < 8 ? group | 0x80 : group; // padded: always 9 bytes, sign bit clear
  }
  return out;
}

/** The host side of the guard: why 0 = one block over the per-block cap, 1 = Extism's block heap is full. */
export function allocRefused(id: string, bytes: bigint, why: number, maxBlockBytes: number, heapBytes: number): never {
  if (why === 0)
    throw new WharfError(
      'E_TOO_LARGE',
      `${id} asked the host for a ${bytes}-byte block; blocks (and so outputs) are capped at ${maxBlockBytes} bytes.`,
    );
  throw new WharfError(
    'E_WASM_MEMORY',
    `${id} asked the host for ${bytes} more bytes with its ${heapBytes}-byte block heap full; the call was stopped.`,
  );
}
