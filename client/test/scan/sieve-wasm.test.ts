// The sieve (what install's WASM admission reads of a download) must refuse exactly what admission of the whole
// module refuses, with the same check and code, however the bytes are split into chunks: on the examples and on
// real third-party plugin shapes, with large custom sections anywhere, truncated anywhere, or malformed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ExportSpec, type Permissions, WharfError } from '@wharf/schemas';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { admitSieved, admitWasm } from '../../src/install/admit-wasm.js';
import { encodeUleb as uleb } from '../../src/run/cap-memory.js';
import { scanWasmModule } from '../../src/scan/scan-wasm.js';
import { SIEVE_CUSTOM_OVER, sieveWasm, WasmSieve } from '../../src/scan/sieve-wasm.js';
import { readShapes, shapeWasm } from './real-shapes.js';
import { withCustomSection } from './wasm-fixtures.js';

const EXAMPLES = join(import.meta.dirname, '../../../examples');
type Decl = { permissions: Permissions; exports: ExportSpec[] };

/** The refusal as admission reports it: its check and code ('' when admitted). */
function refusal(admit: () => unknown): string {
  try {
    admit();
    return '';
  } catch (e) {
    if (!(e instanceof WharfError)) throw e;
    return `${/check ([a-z.]+)/.exec(e.message)?.[1] ?? '?'} ${e.code}`;
  }
}

function sieveInChunks(bytes: Uint8Array, cuts: number[]) {
  const s = new WasmSieve();
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((a, b) => a - b)) {
    s.push(bytes.subarray(at, c));
    at = c;
  }
  s.push(bytes.subarray(at));
  return s.end();
}

/** A custom section placed right after the preamble, before every other section. */
function customFirst(wasm: Uint8Array, name: string, payload: number): Uint8Array {
  const sec = withCustomSection(new Uint8Array(0), name, payload);
  const out = new Uint8Array(wasm.length + sec.length);
  out.set(wasm.subarray(0, 8));
  out.set(sec, 8);
  out.set(wasm.subarray(8), 8 + sec.length);
  return out;
}

/** A big custom section whose name length runs past its own end. */
function nameOverrun(wasm: Uint8Array): Uint8Array {
  const size = SIEVE_CUSTOM_OVER + 10;
  const sec = [0, ...uleb(size), ...uleb(size + 5), 0x61];
  const out = new Uint8Array(wasm.length + sec.length + size - 2);
  out.set(wasm);
  out.set(sec, wasm.length);
  return out;
}

/** A big custom section whose size is a six-byte LEB128 (walkSections reads it; V8 does not). */
function longLeb(wasm: Uint8Array): Uint8Array {
  const size = SIEVE_CUSTOM_OVER + 100;
  const b = uleb(size);
  const six = [...b.slice(0, -1).map((x) => x | 0x80), (b.at(-1) as number) | 0x80, 0x80, 0x00].slice(0, 6);
  const sec = [0, ...six, 1, 0x61];
  const out = new Uint8Array(wasm.length + sec.length + size - 2);
  out.set(wasm);
  out.set(sec, wasm.length);
  return out;
}

/** A well-formed producers section over the sieve's size (a long version string): the scanner reads it. */
function bigProducers(wasm: Uint8Array): Uint8Array {
  const enc = (t: string) => {
    const b = new TextEncoder().encode(t);
    return [...uleb(b.length), ...b];
  };
  const body = [...enc('producers'), 1, ...enc('processed-by'), 1, ...enc('wharf-test'), ...enc('9'.repeat(80_000))];
  const sec = [0, ...uleb(body.length), ...body];
  const out = new Uint8Array(wasm.length + sec.length);
  out.set(wasm);
  out.set(sec, wasm.length);
  return out;
}

describe('sieveWasm: what install admits of a download', () => {
  const bases: Array<{ what: string; bytes: Uint8Array; decl: Decl }> = [];
  beforeAll(async () => {
    for (const ex of ['count-vowels', 'greet', 'word-stats']) {
      const m = JSON.parse(readFileSync(join(EXAMPLES, ex, 'plugin.json'), 'utf8'));
      bases.push({
        what: ex,
        bytes: readFileSync(join(EXAMPLES, ex, 'plugin.wasm')),
        decl: { permissions: m.permissions, exports: m.exports },
      });
    }
    for (const s of readShapes().slice(0, 12))
      bases.push({ what: s.file, bytes: await shapeWasm(s), decl: { permissions: {}, exports: [] } });
  }, 60_000);

  const variants = (b: Uint8Array): Array<[string, Uint8Array]> => [
    ['as built', b],
    ['+ 200 KB .debug_info', withCustomSection(b, '.debug_info', 200_000)],
    ['+ small custom', withCustomSection(b, 'note', 100)],
    ['big custom first', customFirst(b, 'padding', 300_000)],
    ['+ big custom, name not UTF-8', withCustomSection(b, [0xff, 0xfe], 100_000)],
    ['+ big producers (malformed)', withCustomSection(b, 'producers', 100_000)],
    ['+ big producers', bigProducers(b)],
    ['+ big custom, name past its end', nameOverrun(b)],
    ['+ big custom, size a 6-byte LEB128', longLeb(b)],
    ['not WASM', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 0, 0x85, 0x80, 0x04, 1, 0x61])],
  ];

  it('refuses what admission of the whole module refuses, with the same check and code', () => {
    let refused = 0;
    for (const { what, bytes, decl } of bases) {
      for (const [v, full] of variants(bytes)) {
        const whole = refusal(() => admitWasm(full, decl));
        const s = sieveWasm(full);
        expect(
          refusal(() => admitSieved(s, decl, full.length)),
          `${what} ${v}`,
        ).toBe(whole);
        if (whole) refused++;
        // What the report says of the module is the same too, but for the sizes of the dropped payloads (and the
        // debug-share warning made of them, which refuses nothing).
        const a = scanWasmModule(full, decl).report;
        const b = scanWasmModule(s.bytes, decl, { size: full.length }).report;
        expect({ ...b, customSections: b.customSections.map((c) => c.name), debugBytes: 0 }, `${what} ${v}`).toEqual({
          ...a,
          customSections: a.customSections.map((c) => c.name),
          debugBytes: 0,
          checks: b.checks,
        });
        const statuses = (r: typeof a) =>
          r.checks.filter((c) => c.id !== 'wasm.debug-sections').map((c) => `${c.id} ${c.status}`);
        expect(statuses(b), `${what} ${v}`).toEqual(statuses(a));
      }
    }
    expect(refused).toBeGreaterThan(bases.length * 3); // the malformed variants were refused
  });

  it('holds only a little of a module padded with custom sections', () => {
    const { bytes, decl } = bases[0] as (typeof bases)[number];
    const padded = customFirst(withCustomSection(bytes, '.debug_info', 10 * 1024 * 1024), '.debug_line', 1 << 20);
    const s = sieveWasm(padded);
    expect(s.complete).toBe(true);
    expect(s.bytes.length).toBeLessThan(bytes.length + 100);
    expect(refusal(() => admitSieved(s, decl, padded.length))).toBe('');
    // Over the scanner's size limit on the whole module's size, though the copy is small.
    expect(refusal(() => admitSieved(s, decl, 33 * 1024 * 1024))).toBe('wasm.size E_WASM_LIMITS');
  });

  it('any cut and any chunking: the same copy, and the same refusal as the cut module', () => {
    const withPadding = bases
      .slice(0, 5)
      .map((b) => ({ ...b, full: customFirst(withCustomSection(b.bytes, '.debug_info', 150_000), 'pad', 70_000) }));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: withPadding.length - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (which, cutAt, cuts) => {
          const { full: whole, decl } = withPadding[which] as (typeof withPadding)[number];
          const full = whole.subarray(0, Math.floor(cutAt * whole.length));
          const once = sieveWasm(full);
          const chunked = sieveInChunks(full, cuts);
          expect(Buffer.from(chunked.bytes).equals(Buffer.from(once.bytes))).toBe(true);
          expect(chunked.complete).toBe(once.complete);
          expect(refusal(() => admitSieved(chunked, decl, full.length))).toBe(refusal(() => admitWasm(full, decl)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
