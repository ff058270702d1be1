import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { capMemory } from '../../client/src/run/cap-memory.js';
import { wrapExports } from '../../client/src/run/exit-code.js';
import { scanWasm } from '../../client/src/scan/scan-wasm.js';
import { walkSections } from '../../client/src/scan/wasm-sections.js';
import { EXIT_CODE_WAT, HOSTILE_WAT, TABLES_WAT, wat } from '../../client/test/run/wat-plugins.js';
import { EXAMPLES } from '../helpers/demo.js';
import { FUZZ_RUNS, fuzz, onlyWharfErrors } from './only-wharf-errors.js';

// The WASM section reader is shared by the review bot's scanner, install admission and the sandbox's limits
// rewrite, and all of them read untrusted modules. Random bytes and mutated real modules may be refused, but only
// with a WharfError carrying an E_ code; and whatever V8 accepts, the rewritten modules still validate.

const valid = (b: Uint8Array) => WebAssembly.validate(b as Uint8Array<ArrayBuffer>);
const exportNames = (b: Uint8Array) =>
  WebAssembly.Module.exports(new WebAssembly.Module(b as Uint8Array<ArrayBuffer>)).map((e) => e.name);

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const DECL = { exports: [{ name: 'run' }, { name: 'echo' }, { name: 'code' }], permissions: {} };

/** Every reader of module bytes the client has. */
function readAll(bytes: Uint8Array): void {
  const report = scanWasm(bytes, DECL);
  // The scanner reports refusals as failed checks; each carries its code.
  for (const c of report.checks) if (c.status === 'fail') expect(c.message).toMatch(/^E_[A-Z_]+: /);
  onlyWharfErrors(walkSections)(bytes);
  onlyWharfErrors((b: Uint8Array) => capMemory(b, 64, { redirectAlloc: 'wharf:alloc-guard' }))(bytes);
  onlyWharfErrors((b: Uint8Array) => wrapExports(b, ['run', 'echo', 'code', 'table_bomb'], 'wharf:host'))(bytes);
}

describe('fuzz: WASM reader, scanner and limits rewrite', () => {
  let seeds: Uint8Array[] = [];
  beforeAll(async () => {
    seeds = [
      await wat(HOSTILE_WAT),
      await wat(TABLES_WAT),
      await wat(EXIT_CODE_WAT),
      await wat(
        '(module (table 2 10 funcref) (memory 1) (elem (i32.const 0) func 0) (func (export "run") (result i32) (i32.const 0)))',
      ),
      new Uint8Array(readFileSync(join(EXAMPLES, 'count-vowels', 'plugin.wasm'))),
    ];
  });

  it('random bytes, with and without a valid header', () => {
    fuzz(fc.uint8Array({ maxLength: 512 }), readAll);
    fuzz(
      fc.uint8Array({ maxLength: 512 }).map((b) => Uint8Array.from([...HEADER, ...b])),
      readAll,
    );
  });

  /** A seed module with some bytes overwritten, some inserted, or cut short. */
  const mutated = () =>
    fc
      .record({
        seed: fc.nat(),
        edits: fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), insert: fc.boolean() }), {
          minLength: 1,
          maxLength: 8,
        }),
        cut: fc.option(fc.nat()),
      })
      .map(({ seed, edits, cut }) => {
        const bytes = [...(seeds[seed % seeds.length] as Uint8Array)];
        for (const e of edits) {
          const at = 8 + (e.at % Math.max(1, bytes.length - 8));
          if (e.insert) bytes.splice(at, 0, e.byte);
          else bytes[at] = e.byte;
        }
        return Uint8Array.from(cut === null ? bytes : bytes.slice(0, cut % (bytes.length + 1)));
      });

  it('mutated real modules', () => {
    fuzz(mutated(), readAll);
  });

  it('whatever V8 accepts, the limits rewrite and the exit-code wrapper keep valid', () => {
    let checked = 0;
    fc.assert(
      fc.property(mutated(), (bytes) => {
        if (!valid(bytes)) return;
        let capped: Uint8Array;
        try {
          capped = capMemory(bytes, 1024).wasm;
        } catch (e) {
          // A module over the budget at start is refused, with its code.
          expect((e as { code?: string }).code).toBe('E_WASM_MEMORY');
          return;
        }
        checked++;
        expect(valid(capped)).toBe(true);
        const names = exportNames(capped);
        const wrapped = wrapExports(capped, names, 'wharf:host');
        if (wrapped) {
          expect(valid(wrapped.plugin)).toBe(true);
          expect(valid(wrapped.main)).toBe(true);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
    // Most mutations break a module; the seeds themselves are always checked below.
    expect(checked).toBeGreaterThanOrEqual(0);
    for (const s of seeds) {
      const capped = capMemory(s, 1024).wasm;
      expect(valid(capped)).toBe(true);
      const w = wrapExports(capped, exportNames(capped), 'x');
      expect(w && valid(w.plugin) && valid(w.main)).toBe(true);
    }
  });
});
