// A minimal WebAssembly binary section walker. Hand-written on purpose: V8 (WebAssembly.Module) validates a module
// and lists its imports, exports and named custom sections in ~6 ms for 3 MB, but it exposes neither memory limits,
// function types, the start section, data-segment sizes nor the list of custom-section names; wabt needs ~210 ms and
// binaryen ~490 ms for the same module (DESIGN §10). This reads only section headers plus the few small sections
// we need (types, imports, functions, memory, exports, start, data headers, producers), so it stays linear and fast.

import { WharfError } from '@wharf/schemas';

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref' | `0x${string}`;

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface MemoryLimits {
  min: number;
  max?: number;
  shared: boolean;
  memory64: boolean;
  imported: boolean;
}

/** A table's limits, in entries. */
export interface TableLimits {
  min: number;
  max?: number;
  imported: boolean;
}

export interface SectionInfo {
  id: number;
  /** For custom sections (id 0). */
  name?: string;
  /** Where the section starts (its id byte). */
  header: number;
  /** Where its payload starts. */
  offset: number;
  size: number;
}

export interface WasmLayout {
  sections: SectionInfo[];
  types: FuncType[];
  /** Type index of each function, imported functions first (the function index space). */
  functionTypes: number[];
  importedFunctions: number;
  memories: MemoryLimits[];
  /** Every table, imported first (the table index space). */
  tables: TableLimits[];
  /** Exported function name → function index. */
  exportedFunctions: Map<string, number>;
  start?: number;
  dataSegments: number;
  dataBytes: number;
  /** producers section: field name → [{name, version}]. */
  producers: Record<string, { name: string; version: string }[]>;
}

/** A malformed module: a WharfError (E_WASM_INVALID), so a caller that forgets to map it still reports a code. */
export class WasmFormatError extends WharfError {
  constructor(message: string) {
    super('E_WASM_INVALID', message);
  }
}

/** Unsigned LEB128 of `n`: what Reader.u32 reads back (cap-memory re-encodes limits, the sieve custom sizes). */
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

/** A bounds-checked cursor over one section: LEB128 numbers, names, skips. Shared with run/cap-memory.ts. */
export class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }
  byte(): number {
    if (this.pos >= this.end) throw new WasmFormatError(`unexpected end at byte ${this.pos}`);
    return this.bytes[this.pos++] as number;
  }
  u32(): number {
    const result = this.uleb(35);
    if (result > 0xffffffff) throw new WasmFormatError(`u32 out of range at byte ${this.pos}`);
    return result;
  }
  /** u64 limits (memory64) as a float; exact enough for page counts. */
  u64(): number {
    return this.uleb(63);
  }
  /** Unsigned LEB128 whose last byte starts at a shift of at most `maxShift` bits. */
  private uleb(maxShift: number): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > maxShift) throw new WasmFormatError(`LEB128 too long at byte ${this.pos}`);
    }
  }
  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new WasmFormatError(`length ${n} runs past the section end`);
    this.pos += n;
  }
  /** A name; with `strict`, one that is not valid UTF-8 is a format error (as V8 refuses it). */
  name(strict = false): string {
    const len = this.u32();
    const start = this.pos;
    this.skip(len);
    try {
      return new TextDecoder('utf-8', { fatal: strict }).decode(this.bytes.subarray(start, start + len));
    } catch {
      throw new WasmFormatError(`the name at byte ${start} is not valid UTF-8`);
    }
  }
  valType(): ValType {
    const b = this.byte();
    switch (b) {
      case 0x7f:
        return 'i32';
      case 0x7e:
        return 'i64';
      case 0x7d:
        return 'f32';
      case 0x7c:
        return 'f64';
      case 0x7b:
        return 'v128';
      case 0x70:
        return 'funcref';
      case 0x6f:
        return 'externref';
      default:
        // Reference types from newer proposals (0x63/0x64 + heap type); good enough to say "not i32".
        if (b === 0x63 || b === 0x64) this.u64();
        return `0x${b.toString(16)}`;
    }
  }
  limits(imported: boolean): MemoryLimits {
    const flags = this.byte();
    const memory64 = (flags & 0x04) !== 0;
    const min = memory64 ? this.u64() : this.u32();
    const hasMax = (flags & 0x01) !== 0;
    const max = hasMax ? (memory64 ? this.u64() : this.u32()) : undefined;
    return { min, ...(max !== undefined ? { max } : {}), shared: (flags & 0x02) !== 0, memory64, imported };
  }
  /** Skip a constant expression (ends with 0x0b). Only the opcodes allowed in constant expressions appear. */
  constExpr(): void {
    for (;;) {
      const op = this.byte();
      if (op === 0x0b) return;
      if (op === 0x41 || op === 0x23 || op === 0xd2) this.u64();
      else if (op === 0x42) this.u64();
      else if (op === 0x43) this.skip(4);
      else if (op === 0x44) this.skip(8);
      else if (op === 0xd0) this.valType();
      else if (op === 0xfd) {
        this.u32();
        this.skip(16);
      } else if (op === 0x6a || op === 0x6b || op === 0x6c || op === 0x7c || op === 0x7d || op === 0x7e) {
        // extended-const arithmetic: no immediates
      } else throw new WasmFormatError(`unsupported opcode 0x${op.toString(16)} in a constant expression`);
    }
  }
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

export function walkSections(bytes: Uint8Array): WasmLayout {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw new WasmFormatError('not a WebAssembly binary');
  const layout: WasmLayout = {
    sections: [],
    types: [],
    functionTypes: [],
    importedFunctions: 0,
    memories: [],
    tables: [],
    exportedFunctions: new Map(),
    dataSegments: 0,
    dataBytes: 0,
    producers: {},
  };
  const top = new Reader(bytes, 8, bytes.length);
  while (top.pos < bytes.length) {
    const header = top.pos;
    const id = top.byte();
    const size = top.u32();
    const start = top.pos;
    top.skip(size);
    const r = new Reader(bytes, start, start + size);
    const info: SectionInfo = { id, header, offset: start, size };
    switch (id) {
      case 0: {
        // Strict: V8 refuses a custom section whose name is not UTF-8, and scan-wasm compiles without custom sections.
        info.name = r.name(true);
        if (info.name === 'producers') readProducers(r, layout);
        break;
      }
      case 1:
        readTypes(r, layout);
        break;
      case 2:
        readImports(r, layout);
        break;
      case 3: {
        const n = r.u32();
        for (let i = 0; i < n; i++) layout.functionTypes.push(r.u32());
        break;
      }
      case 4:
        readTables(r, layout);
        break;
      case 5: {
        const n = r.u32();
        for (let i = 0; i < n; i++) layout.memories.push(r.limits(false));
        break;
      }
      case 7:
        readExports(r, layout);
        break;
      case 8:
        layout.start = r.u32();
        break;
      case 11:
        readData(r, layout);
        break;
      default:
        break;
    }
    layout.sections.push(info);
  }
  return layout;
}

function readTypes(r: Reader, layout: WasmLayout): void {
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const form = r.byte();
    if (form !== 0x60) {
      // GC proposal rec/sub types: record a placeholder so indices stay aligned; Extism exports never use them.
      layout.types.push({ params: ['0x0'], results: ['0x0'] });
      r.pos = r.end;
      return;
    }
    const np = r.u32();
    const params: ValType[] = [];
    for (let j = 0; j < np; j++) params.push(r.valType());
    const nr = r.u32();
    const results: ValType[] = [];
    for (let j = 0; j < nr; j++) results.push(r.valType());
    layout.types.push({ params, results });
  }
}

function readImports(r: Reader, layout: WasmLayout): void {
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    r.name();
    r.name();
    const kind = r.byte();
    if (kind === 0x00) {
      layout.functionTypes.push(r.u32());
      layout.importedFunctions++;
    } else if (kind === 0x01) {
      r.valType();
      layout.tables.push(tableLimits(r.limits(true)));
    } else if (kind === 0x02) {
      layout.memories.push(r.limits(true));
    } else if (kind === 0x03) {
      r.valType();
      r.byte();
    } else if (kind === 0x04) {
      r.byte();
      r.u32();
    } else throw new WasmFormatError(`unknown import kind ${kind}`);
  }
}

function tableLimits(l: MemoryLimits): TableLimits {
  return { min: l.min, ...(l.max !== undefined ? { max: l.max } : {}), imported: l.imported };
}

function readTables(r: Reader, layout: WasmLayout): void {
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    // Function-references form: 0x40 0x00, the table type, then an initialiser expression.
    const withInit = r.bytes[r.pos] === 0x40;
    if (withInit) {
      r.byte();
      if (r.byte() !== 0x00) throw new WasmFormatError(`bad table entry at byte ${r.pos}`);
    }
    r.valType();
    layout.tables.push(tableLimits(r.limits(false)));
    if (withInit) r.constExpr();
  }
}

function readExports(r: Reader, layout: WasmLayout): void {
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const name = r.name();
    const kind = r.byte();
    const index = r.u32();
    if (kind === 0x00) layout.exportedFunctions.set(name, index);
  }
}

function readData(r: Reader, layout: WasmLayout): void {
  const n = r.u32();
  layout.dataSegments = n;
  for (let i = 0; i < n; i++) {
    const flags = r.u32();
    if (flags === 2) r.u32();
    if (flags === 0 || flags === 2) r.constExpr();
    const len = r.u32();
    r.skip(len);
    layout.dataBytes += len;
  }
}

function readProducers(r: Reader, layout: WasmLayout): void {
  try {
    const fields = r.u32();
    for (let i = 0; i < fields; i++) {
      const field = r.name();
      const n = r.u32();
      const values: { name: string; version: string }[] = [];
      for (let j = 0; j < n; j++) values.push({ name: r.name(), version: r.name() });
      layout.producers[field] = values;
    }
  } catch {
    // The producers section is informational; a malformed one must not make a valid module unreadable.
  }
}
