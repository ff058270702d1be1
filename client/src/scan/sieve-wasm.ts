// A streaming filter that keeps what WASM admission reads of a module and drops the payload of its large custom
// sections (debug info, padding). Install hashes and writes the whole artifact as it streams, but admission only
// needs every other section, plus each custom section's name (scan-wasm counts them and V8 refuses a name that is
// not UTF-8): holding a 10 MB artifact in memory to admit its 100 KB of code cost ~35 ms of first-touch page faults
// on a VM where that is ~3 ms per MB, more than the rest of the download.
//
// The sieved copy scans as the whole module does for every check that can refuse (scan-wasm.ts reads a custom
// section's name and, for `producers`, its content; V8 ignores what the others hold). Anything it cannot read as a
// well-formed section header (a malformed LEB128, a name running past its section) is kept verbatim from there on,
// so the scanner refuses it exactly as it would the whole module. A module that ends inside a dropped payload is
// truncated: `end()` says so, and admission refuses it (walkSections refuses the whole module the same way).

import { encodeUleb } from './wasm-sections.js';

/** Custom sections with a payload over this are kept as their name only. */
export const SIEVE_CUSTOM_OVER = 64 * 1024;
const MAX_NAME = 4096;

export interface Sieved {
  /** The module with large custom sections emptied: every other byte, in order. */
  bytes: Uint8Array;
  /** False when the stream ended inside a dropped payload (the module is truncated). */
  complete: boolean;
}

type State =
  | { at: 'preamble' } // magic and version: 8 bytes, kept
  | { at: 'header' } // a section's id and size LEB128, buffered until complete
  | { at: 'keep'; left: number } // a section kept verbatim
  | { at: 'name'; size: number; headerLen: number } // a large custom section: its name, buffered
  | { at: 'drop'; left: number } // its payload after the name
  | { at: 'verbatim' }; // everything from here on (a header we cannot read)

/**
 * u32 LEB128 as walkSections reads it: at most 5 bytes and ≤ 0xffffffff; `undefined` while incomplete, `null` bad.
 * Not Reader.u32: a stream must tell "not arrived yet" from "malformed", which Reader throws alike.
 */
function leb(b: Uint8Array, from: number): { value: number; len: number } | undefined | null {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (from + i >= b.length) return undefined;
    const byte = b[from + i] as number;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return value > 0xffffffff ? null : { value, len: i + 1 };
  }
  return null;
}

export class WasmSieve {
  private state: State = { at: 'preamble' };
  private readonly kept: Uint8Array[] = [];
  /** Bytes of a header or name still incomplete, carried across chunks. */
  private pending: Uint8Array = new Uint8Array(0);

  /** Takes the next bytes of the module; keeps views of `chunk`, which the caller must not reuse. */
  push(chunk: Uint8Array): void {
    let c = chunk;
    while (c.length > 0) {
      const s = this.state;
      if (s.at === 'verbatim') {
        this.keep(c);
        return;
      }
      if (s.at === 'keep' || s.at === 'drop') {
        const n = Math.min(s.left, c.length);
        if (s.at === 'keep') this.keep(c.subarray(0, n));
        s.left -= n;
        c = c.subarray(n);
        if (s.left === 0) this.state = { at: 'header' };
        continue;
      }
      // preamble, header, name: buffer until the piece is whole, then decide.
      const buf = this.pending.length > 0 ? concat(this.pending, c) : c;
      const used = this.decide(buf);
      if (used === undefined) {
        this.pending = buf.slice(); // incomplete: wait for more (at most a few bytes, or one name)
        return;
      }
      this.pending = new Uint8Array(0);
      c = buf.subarray(used);
    }
  }

  /** Consumes a whole preamble, header or name at the start of `b` and moves on; undefined when `b` is too short. */
  private decide(b: Uint8Array): number | undefined {
    const s = this.state;
    if (s.at === 'preamble') {
      if (b.length < 8) return undefined;
      this.keep(b.subarray(0, 8));
      this.state = { at: 'header' };
      return 8;
    }
    if (s.at === 'header') {
      const size = leb(b, 1);
      if (size === undefined) return undefined;
      if (size === null) return this.verbatim();
      const headerLen = 1 + size.len;
      if (b[0] === 0 && size.value > SIEVE_CUSTOM_OVER) {
        this.state = { at: 'name', size: size.value, headerLen };
        return 0; // the header stays in `b` until the name is read
      }
      this.keep(b.subarray(0, headerLen));
      this.state = size.value > 0 ? { at: 'keep', left: size.value } : { at: 'header' };
      return headerLen;
    }
    if (s.at === 'name') {
      const nameLen = leb(b, s.headerLen);
      if (nameLen === undefined) return undefined;
      // A name longer than any real one is not buffered across chunks: kept verbatim, with the rest.
      if (nameLen === null || nameLen.len + nameLen.value > s.size || nameLen.value > MAX_NAME) return this.verbatim();
      const nameEnd = s.headerLen + nameLen.len + nameLen.value;
      if (b.length < nameEnd) return undefined;
      // producers is read by the scanner: kept whole, as is any section whose name we keep verbatim.
      const name = b.subarray(s.headerLen + nameLen.len, nameEnd);
      if (isProducers(name)) {
        this.keep(b.subarray(0, nameEnd));
        const left = s.size - (nameEnd - s.headerLen);
        this.state = left > 0 ? { at: 'keep', left } : { at: 'header' };
        return nameEnd;
      }
      const payload = b.subarray(s.headerLen, nameEnd); // the name's LEB128 and bytes: the new payload
      this.keep(Uint8Array.from([0, ...encodeUleb(payload.length)]));
      this.keep(payload);
      const left = s.size - payload.length;
      this.state = left > 0 ? { at: 'drop', left } : { at: 'header' };
      return nameEnd;
    }
    return 0;
  }

  /** Keep everything from the start of what `decide` was given (the scanner refuses or reads it as it is). */
  private verbatim(): number {
    this.state = { at: 'verbatim' };
    return 0;
  }

  // Views, not copies: end() makes the one copy. Node hands each socket read a buffer of its own, which the
  // download's writer holds the same way until it is written.
  private keep(b: Uint8Array): void {
    if (b.length > 0) this.kept.push(b);
  }

  end(): Sieved {
    const complete = this.state.at !== 'drop';
    // An incomplete header or name at the end: kept as it is, so the scanner sees the truncation.
    if (this.pending.length > 0) this.keep(this.pending);
    this.pending = new Uint8Array(0);
    const bytes = new Uint8Array(this.kept.reduce((n, k) => n + k.length, 0));
    let at = 0;
    for (const k of this.kept) {
      bytes.set(k, at);
      at += k.length;
    }
    return { bytes, complete };
  }
}

const PRODUCERS = [0x70, 0x72, 0x6f, 0x64, 0x75, 0x63, 0x65, 0x72, 0x73]; // "producers"
const isProducers = (name: Uint8Array) => name.length === PRODUCERS.length && PRODUCERS.every((b, i) => name[i] === b);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The whole module through the sieve at once (tests, and callers holding the bytes). */
export function sieveWasm(bytes: Uint8Array): Sieved {
  const s = new WasmSieve();
  s.push(bytes);
  return s.end();
}
