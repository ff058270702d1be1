import { WharfError } from '@wharf/schemas';
import { Reader, WasmFormatError } from '../scan/wasm-sections.js';

// Rewrites the limits of every memory a module defines or imports so that `memory.grow` stops at a cap, even when the
// module declares no maximum (none of ~50 real Rust/Go/C plugins does, and Extism's `memory.maxPages` only caps the
// host-side blocks, DESIGN §10). Hand-written on purpose: it only has to find two sections and re-encode a few
// LEB128 numbers, a linear pass in well under a millisecond, whereas a round trip through wabt or binaryen costs
// ~210–490 ms per module (DESIGN §10) and would re-emit code we must not touch. Everything outside the import and
// memory sections is copied byte for byte.

const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const LIMITS_HAS_MAX = 0x01;
const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

export interface CapResult {
  wasm: Uint8Array;
  /** Whether an `extism:host/env` `alloc` import was pointed at `redirectAlloc` (see alloc-guard.ts). */
  allocRedirected: boolean;
  /** The limits after rewriting, one per memory (imported first), for messages and tests. */
  memories: { min: number; max: number; declaredMax?: number }[];
}

function invalid(why: string): WharfError {
  return new WharfError('E_WASM_INVALID', `The module is not valid WebAssembly: ${why}.`);
}

export function encodeUleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

export interface CapOptions {
  /** Module name to import Extism's `alloc` from instead of `extism:host/env` (the alloc guard). */
  redirectAlloc?: string;
}

/**
 * Returns a copy of `wasm` whose memories all carry `max ≤ capPages`. A module whose memory needs more than the cap
 * at instantiation (min > cap) is refused with E_WASM_MEMORY instead of being started and failing later.
 */
export function capMemory(wasm: Uint8Array, capPages: number, opts: CapOptions = {}): CapResult {
  try {
    return rewriteModule(wasm, capPages, opts);
  } catch (e) {
    throw e instanceof WasmFormatError ? invalid(e.message) : e;
  }
}

function rewriteModule(wasm: Uint8Array, capPages: number, opts: CapOptions): CapResult {
  if (wasm.length < 8 || WASM_HEADER.some((b, i) => wasm[i] !== b))
    throw invalid('missing the \\0asm version 1 header');
  const memories: CapResult['memories'] = [];
  const redirect = { to: opts.redirectAlloc, done: false };
  const parts: Uint8Array[] = [wasm.subarray(0, 8)];
  let pos = 8;
  while (pos < wasm.length) {
    const head = new Reader(wasm, pos, wasm.length);
    const id = head.byte();
    const size = head.u32();
    const bodyStart = head.pos;
    const bodyEnd = bodyStart + size;
    if (bodyEnd > wasm.length) throw invalid(`section ${id} at byte ${pos} runs past the end of the module`);
    const body = new Reader(wasm, bodyStart, bodyEnd);
    const rewritten =
      id === SECTION_IMPORT
        ? rewriteImports(body, capPages, memories, redirect)
        : id === SECTION_MEMORY
          ? rewriteMemories(body, capPages, memories)
          : null;
    if (rewritten) parts.push(Uint8Array.from([id, ...encodeUleb(rewritten.length)]), rewritten);
    else parts.push(wasm.subarray(pos, bodyEnd));
    pos = bodyEnd;
  }
  return { wasm: concat(parts), memories, allocRedirected: redirect.done };
}

const EXTISM_ENV = new TextEncoder().encode('extism:host/env');
const ALLOC = new TextEncoder().encode('alloc');
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

function rewriteImports(
  c: Reader,
  cap: number,
  memories: CapResult['memories'],
  redirect: { to?: string; done: boolean },
): Uint8Array | null {
  // Slices, not a number[]: a hostile module may carry a huge import section.
  const out: Uint8Array[] = [];
  let touched = false;
  let copied = c.pos;
  const count = c.u32();
  for (let i = 0; i < count; i++) {
    const entryStart = c.pos;
    const moduleLen = c.u32();
    const moduleName = c.bytes.subarray(c.pos, c.pos + moduleLen);
    c.skip(moduleLen);
    const fieldStart = c.pos;
    const fieldLen = c.u32();
    const fieldName = c.bytes.subarray(c.pos, c.pos + fieldLen);
    c.skip(fieldLen);
    const kind = c.byte();
    if (kind === 0x00) {
      c.u32();
      if (redirect.to && sameBytes(moduleName, EXTISM_ENV) && sameBytes(fieldName, ALLOC)) {
        const to = new TextEncoder().encode(redirect.to);
        out.push(c.bytes.subarray(copied, entryStart), Uint8Array.from(encodeUleb(to.length)), to);
        out.push(c.bytes.subarray(fieldStart, c.pos));
        copied = c.pos;
        touched = true;
        redirect.done = true;
      }
    } else if (kind === 0x01) {
      refType(c);
      skipLimits(c);
    } else if (kind === 0x02) {
      out.push(c.bytes.subarray(copied, c.pos), Uint8Array.from(cappedLimits(c, cap, memories)));
      copied = c.pos;
      touched = true;
    } else if (kind === 0x03) {
      refType(c);
      c.byte(); // mutability
    } else if (kind === 0x04) {
      c.byte(); // tag attribute
      c.u32();
    } else throw invalid(`unknown import kind 0x${kind.toString(16)}`);
  }
  if (c.pos !== c.end) throw invalid('the import section has trailing bytes');
  if (!touched) return null;
  out.push(c.bytes.subarray(copied, c.end));
  return concat(out);
}

function rewriteMemories(c: Reader, cap: number, memories: CapResult['memories']): Uint8Array {
  const count = c.u32();
  const out = encodeUleb(count);
  for (let i = 0; i < count; i++) out.push(...cappedLimits(c, cap, memories));
  if (c.pos !== c.end) throw invalid('the memory section has trailing bytes');
  return Uint8Array.from(out);
}

/** Reads one memory's limits and returns them re-encoded with a maximum no higher than `cap`. */
function cappedLimits(c: Reader, cap: number, memories: CapResult['memories']): number[] {
  const flags = c.byte();
  if (flags > 0x07) throw invalid(`unknown memory limits flags 0x${flags.toString(16)}`);
  const min = c.u64();
  const declaredMax = flags & LIMITS_HAS_MAX ? c.u64() : undefined;
  if (min > cap) {
    throw new WharfError(
      'E_WASM_MEMORY',
      `The module asks for ${min} pages of memory at start; the cap is ${cap} pages (${cap * 64} KiB).`,
    );
  }
  const max = Math.min(declaredMax ?? cap, cap);
  memories.push({ min, max, ...(declaredMax !== undefined ? { declaredMax } : {}) });
  // Same flags (shared and memory64 keep their meaning) plus "has max"; memory64 limits use the same LEB128.
  return [flags | LIMITS_HAS_MAX, ...encodeUleb(min), ...encodeUleb(max)];
}

function skipLimits(c: Reader): void {
  const flags = c.byte();
  c.u64();
  if (flags & LIMITS_HAS_MAX) c.u64();
}

/** A value or reference type: one byte, or 0x63/0x64 followed by a heap type (GC proposal). */
function refType(c: Reader): void {
  const b = c.byte();
  if (b === 0x63 || b === 0x64) c.u64();
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
