import { WharfError } from '@wharf/schemas';
import { encodeUleb, Reader, WasmFormatError, walkSections } from '../scan/wasm-sections.js';

// Rewrites the limits of every memory and table a module defines or imports so that `memory.grow` and `table.grow`
// stop at a cap, even when the module declares no maximum (none of ~50 real Rust/Go/C plugins does, and Extism's
// `memory.maxPages` only caps the host-side blocks, DESIGN §10). Tables live outside linear memory (twelve
// `(table 10000000 funcref)` took 3.3 GB of RSS), so their entries are charged against the same byte budget.
// Hand-written on purpose: it only has to find three sections and re-encode a few LEB128 numbers, a linear pass in
// well under a millisecond, whereas a round trip through wabt or binaryen costs ~210–490 ms per module (DESIGN §10)
// and would re-emit code we must not touch. Everything outside the import, table and memory sections is copied byte
// for byte.

const SECTION_IMPORT = 2;
const SECTION_TABLE = 4;
const SECTION_MEMORY = 5;
const PAGE = 64 * 1024;
/** What one table entry costs the host: a reference (DESIGN §4). */
export const TABLE_ENTRY_BYTES = 8;
/** Tables together may grow to this share of the budget (or stay at their minimum, if that is more). */
const TABLE_GROWTH_SHARE = 1 / 16;
const LIMITS_HAS_MAX = 0x01;
const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

export interface CapResult {
  wasm: Uint8Array;
  /** Whether an `extism:host/env` `alloc` import was pointed at `redirectAlloc` (see alloc-guard.ts). */
  allocRedirected: boolean;
  /** The limits after rewriting, one per memory (imported first), for messages and tests. */
  memories: { min: number; max: number; declaredMax?: number }[];
  /** The table limits after rewriting (entries), imported first. */
  tables: { min: number; max: number; declaredMax?: number }[];
}

function invalid(why: string): WharfError {
  return new WharfError('E_WASM_INVALID', `The module is not valid WebAssembly: ${why}.`);
}

// Re-exported: the tests, the bench and exit-code.ts build modules with it from here.
export { encodeUleb };

export interface CapOptions {
  /** Module name to import Extism's `alloc` from instead of `extism:host/env` (the alloc guard). */
  redirectAlloc?: string;
}

/**
 * Returns a copy of `wasm` whose memories and tables all carry a maximum within the budget of `capPages` 64 KiB pages:
 * table maxima (at TABLE_ENTRY_BYTES an entry) come out of the budget first, memories get the rest. A module that
 * needs more than the budget at instantiation is refused with E_WASM_MEMORY instead of being started.
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
  const tables = planTables(wasm, capPages);
  const tablePages = Math.ceil(tables.reduce((n, t) => n + t.max * TABLE_ENTRY_BYTES, 0) / PAGE);
  const memCap = { pages: capPages - tablePages, tablePages, budget: capPages, next: 0 };
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
        ? rewriteImports(body, memCap, memories, tables, redirect)
        : id === SECTION_TABLE
          ? rewriteTables(body, tables)
          : id === SECTION_MEMORY
            ? rewriteMemories(body, memCap, memories)
            : null;
    if (rewritten) parts.push(Uint8Array.from([id, ...encodeUleb(rewritten.length)]), rewritten);
    else parts.push(wasm.subarray(pos, bodyEnd));
    pos = bodyEnd;
  }
  return { wasm: concat(parts), memories, tables, allocRedirected: redirect.done };
}

interface MemCap {
  /** Pages left for memories once the tables are paid for. */
  pages: number;
  tablePages: number;
  budget: number;
  /** Index of the next table to rewrite (imports first). */
  next: number;
}

/** Each table's new maximum: its declared one if the growth budget allows, else as far as the budget goes. */
function planTables(wasm: Uint8Array, capPages: number): CapResult['tables'] {
  const declared = walkSections(wasm).tables;
  const budget = capPages * PAGE;
  const minBytes = declared.reduce((n, t) => n + t.min * TABLE_ENTRY_BYTES, 0);
  if (minBytes > budget) {
    const entries = declared.reduce((n, t) => n + t.min, 0);
    throw new WharfError(
      'E_WASM_MEMORY',
      `The module's ${declared.length} table(s) ask for ${entries} entries (${mib(minBytes)}) at start; the memory cap is ${capPages} pages (${mib(budget)}).`,
    );
  }
  // Together the tables may hold the growth share of the budget (or their minimum, if that is more).
  const minEntries = declared.reduce((n, t) => n + t.min, 0);
  let growth = Math.max(0, Math.floor((budget * TABLE_GROWTH_SHARE) / TABLE_ENTRY_BYTES) - minEntries);
  return declared.map((t) => {
    const max = Math.min(t.max ?? Number.POSITIVE_INFINITY, t.min + growth);
    growth -= max - t.min;
    return { min: t.min, max, ...(t.max !== undefined ? { declaredMax: t.max } : {}) };
  });
}

const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;

const EXTISM_ENV = new TextEncoder().encode('extism:host/env');
const ALLOC = new TextEncoder().encode('alloc');
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

function rewriteImports(
  c: Reader,
  cap: MemCap,
  memories: CapResult['memories'],
  tables: CapResult['tables'],
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
      const limits = tableLimits(c, tables[cap.next++]);
      if (limits) {
        out.push(c.bytes.subarray(copied, limits.start), limits.bytes);
        copied = c.pos;
        touched = true;
      }
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

function rewriteTables(c: Reader, tables: CapResult['tables']): Uint8Array | null {
  const out: Uint8Array[] = [];
  let touched = false;
  let copied = c.pos;
  const imported = tables.length - countTables(c);
  const count = c.u32();
  for (let i = 0; i < count; i++) {
    // Function-references form: 0x40 0x00, the table type, then an initialiser expression (copied as is).
    const withInit = c.bytes[c.pos] === 0x40 && c.pos < c.end;
    if (withInit) {
      c.byte();
      if (c.byte() !== 0x00) throw invalid('bad table entry');
    }
    refType(c);
    const limits = tableLimits(c, tables[imported + i]);
    if (limits) {
      out.push(c.bytes.subarray(copied, limits.start), limits.bytes);
      copied = c.pos;
      touched = true;
    }
    if (withInit) c.constExpr();
  }
  if (c.pos !== c.end) throw invalid('the table section has trailing bytes');
  if (!touched) return null;
  out.push(c.bytes.subarray(copied, c.end));
  return concat(out);
}

/** The table section's entry count, read without moving `c`. */
function countTables(c: Reader): number {
  return new Reader(c.bytes, c.pos, c.end).u32();
}

/** Reads one table's limits; returns them re-encoded when the planned maximum differs from the declared one. */
function tableLimits(
  c: Reader,
  plan: CapResult['tables'][number] | undefined,
): { start: number; bytes: Uint8Array } | null {
  const start = c.pos;
  const flags = c.byte();
  if (flags > 0x07) throw invalid(`unknown table limits flags 0x${flags.toString(16)}`);
  c.u64();
  const declaredMax = flags & LIMITS_HAS_MAX ? c.u64() : undefined;
  if (!plan) throw invalid('more tables than the module declares');
  if (declaredMax === plan.max) return null;
  return { start, bytes: Uint8Array.from([flags | LIMITS_HAS_MAX, ...encodeUleb(plan.min), ...encodeUleb(plan.max)]) };
}

function rewriteMemories(c: Reader, cap: MemCap, memories: CapResult['memories']): Uint8Array {
  const count = c.u32();
  const out = encodeUleb(count);
  for (let i = 0; i < count; i++) out.push(...cappedLimits(c, cap, memories));
  if (c.pos !== c.end) throw invalid('the memory section has trailing bytes');
  return Uint8Array.from(out);
}

/** Reads one memory's limits and returns them re-encoded with a maximum no higher than the pages left. */
function cappedLimits(c: Reader, memCap: MemCap, memories: CapResult['memories']): number[] {
  const flags = c.byte();
  if (flags > 0x07) throw invalid(`unknown memory limits flags 0x${flags.toString(16)}`);
  const min = c.u64();
  const declaredMax = flags & LIMITS_HAS_MAX ? c.u64() : undefined;
  const cap = memCap.pages;
  if (min > cap) {
    const tables = memCap.tablePages > 0 ? ` (${memCap.tablePages} of its ${memCap.budget} pages go to tables)` : '';
    throw new WharfError(
      'E_WASM_MEMORY',
      `The module asks for ${min} pages of memory at start; the cap is ${cap} pages (${cap * 64} KiB)${tables}.`,
    );
  }
  const max = Math.min(declaredMax ?? cap, cap);
  memories.push({ min, max, ...(declaredMax !== undefined ? { declaredMax } : {}) });
  // Same flags (shared and memory64 keep their meaning) plus "has max"; memory64 limits use the same LEB128.
  return [flags | LIMITS_HAS_MAX, ...encodeUleb(min), ...encodeUleb(max)];
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
