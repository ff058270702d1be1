import { Reader, walkSections } from '../scan/wasm-sections.js';
import { encodeUleb } from './cap-memory.js';

// An Extism export returns an i32; non-zero means it failed (Extism's CLI and its other SDKs report it), but rc13
// drops it inside its worker. So the sandbox puts a small `main` module in front of the plugin: for each declared
// `() -> i32` export it calls the plugin's function and, when the result is not 0, hands it to the host function
// `wharf:host/exit_code` before returning it. The plugin is linked under PLUGIN_MODULE and exports its entry points
// through one appended funcref table, so the wrapper needs a single import from it (rc13 instantiates a `_start`
// module afresh for every import another module takes from it). Appending a table, an element segment and an export
// shifts no index the plugin's code uses, so everything else is copied byte for byte.

export const PLUGIN_MODULE = 'wharf:plugin';
export const EXPORTS_TABLE = '__wharf_exports';
export const EXIT_CODE_FN = 'exit_code';

export interface ExitCodeWrap {
  /** The plugin with the entry-point table appended. */
  plugin: Uint8Array;
  /** The wrapper, to be linked as `main`. */
  main: Uint8Array;
}

type Kind = 'rc' | 'void';

/** Section ids in the order the binary format requires (custom sections aside). */
const ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
const SECTION_TABLE = 4;
const SECTION_EXPORT = 7;
const SECTION_ELEMENT = 9;

/**
 * Wraps the declared exports that have an Extism signature (`() -> i32`, or `() -> ()` passed through). Returns null
 * when there is none to wrap: the plugin then runs as `main` unchanged.
 */
export function wrapExports(wasm: Uint8Array, names: string[], hostModule: string): ExitCodeWrap | null {
  const layout = walkSections(wasm);
  const entries: { name: string; fn: number; kind: Kind }[] = [];
  for (const name of new Set(names)) {
    const fn = layout.exportedFunctions.get(name);
    if (fn === undefined) continue;
    const type = layout.types[layout.functionTypes[fn] ?? -1];
    if (!type || type.params.length > 0) continue;
    if (type.results.length === 1 && type.results[0] === 'i32') entries.push({ name, fn, kind: 'rc' });
    else if (type.results.length === 0) entries.push({ name, fn, kind: 'void' });
  }
  if (entries.length === 0) return null;
  const table = layout.tables.length;
  const n = entries.length;
  const plugin = appendToSections(wasm, {
    [SECTION_TABLE]: [0x70, 0x01, ...encodeUleb(n), ...encodeUleb(n)],
    // Active segment for an explicit table (flags 2), at offset 0, of function indices.
    [SECTION_ELEMENT]: [
      0x02,
      ...encodeUleb(table),
      0x41,
      0x00,
      0x0b,
      0x00,
      ...encodeUleb(n),
      ...entries.flatMap((e) => encodeUleb(e.fn)),
    ],
    [SECTION_EXPORT]: [...name(EXPORTS_TABLE), 0x01, ...encodeUleb(table)],
  });
  return { plugin, main: wrapperModule(entries, hostModule) };
}

function name(s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [...encodeUleb(b.length), ...b];
}

/** Signed LEB128 of a non-negative integer (i32.const takes a signed immediate). */
function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v === 0 && (b & 0x40) === 0) return [...out, b];
    out.push(b | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...encodeUleb(body.length), ...body];
}

function wrapperModule(entries: { name: string; kind: Kind }[], hostModule: string): Uint8Array {
  // Types: 0 = () -> i32, 1 = () -> (), 2 = (i32) -> ().
  const types = [3, 0x60, 0, 1, 0x7f, 0x60, 0, 0, 0x60, 1, 0x7f, 0];
  const imports = [
    2,
    ...name(PLUGIN_MODULE),
    ...name(EXPORTS_TABLE),
    0x01,
    0x70,
    0x00,
    ...encodeUleb(entries.length),
    ...name(hostModule),
    ...name(EXIT_CODE_FN),
    0x00,
    2,
  ];
  const funcs = [...encodeUleb(entries.length), ...entries.map((e) => (e.kind === 'rc' ? 0 : 1))];
  const exports = [
    ...encodeUleb(entries.length),
    ...entries.flatMap((e, i) => [...name(e.name), 0x00, ...encodeUleb(i + 1)]),
  ];
  const bodies = entries.map((e, slot) => {
    const call = [0x41, ...sleb(slot), 0x11, e.kind === 'rc' ? 0 : 1, 0x00];
    const body =
      e.kind === 'rc'
        ? // (local $rc i32): rc = call; if rc: exit_code(rc); return rc
          [1, 1, 0x7f, ...call, 0x22, 0, 0x04, 0x40, 0x20, 0, 0x10, 0, 0x0b, 0x20, 0, 0x0b]
        : [0, ...call, 0x0b];
    return [...encodeUleb(body.length), ...body];
  });
  const code = [...encodeUleb(entries.length), ...bodies.flat()];
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

/** Appends one entry to each given vector section, creating the section at its place when the module has none. */
function appendToSections(wasm: Uint8Array, add: Record<number, number[]>): Uint8Array {
  const parts: Uint8Array[] = [wasm.subarray(0, 8)];
  const pending = new Map(Object.entries(add).map(([id, entry]) => [Number(id), entry]));
  const rankOf = (id: number) => (ORDER.includes(id) ? ORDER.indexOf(id) : ORDER.length);
  const flushBefore = (id: number) => {
    const rank = rankOf(id);
    for (const [pid, entry] of [...pending].sort((a, b) => rankOf(a[0]) - rankOf(b[0]))) {
      if (rankOf(pid) < rank) {
        parts.push(Uint8Array.from(section(pid, [1, ...entry])));
        pending.delete(pid);
      }
    }
  };
  const top = new Reader(wasm, 8, wasm.length);
  while (top.pos < wasm.length) {
    const start = top.pos;
    const id = top.byte();
    const size = top.u32();
    const bodyStart = top.pos;
    top.skip(size);
    if (id !== 0) flushBefore(id);
    const entry = pending.get(id);
    if (entry) {
      const body = new Reader(wasm, bodyStart, bodyStart + size);
      const count = body.u32();
      const rest = wasm.subarray(body.pos, bodyStart + size);
      const head = [...encodeUleb(count + 1)];
      const len = head.length + rest.length + entry.length;
      parts.push(Uint8Array.from([id, ...encodeUleb(len), ...head]), rest, Uint8Array.from(entry));
      pending.delete(id);
    } else parts.push(wasm.subarray(start, top.pos));
  }
  flushBefore(Number.MAX_SAFE_INTEGER);
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
