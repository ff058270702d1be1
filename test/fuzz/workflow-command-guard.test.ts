import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GuardedWriter, guardWorkflowCommands } from '../../tools/src/cli/workflow-command-guard.js';
import { FUZZ_RUNS } from './only-wharf-errors.js';

// Properties of wharf-admin's workflow-command guard (tools/test/review/workflow-commands.test.ts runs the CLI).
// The runner reads `::cmd::` at the start of a line after white space (.NET TrimStart, which also trims U+0085)
// and `##[cmd]` anywhere; lines split at \r\n, \r and \n.
const commandLines = (text: string) =>
  text.split(/\r\n|\r|\n/).filter((l) => /^[\s\u0085]*::/.test(l) || l.includes('##['));

describe('workflow-command guard', () => {
  it('keeps JSON output equal once parsed', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v, null, 2);
        expect(JSON.parse(guardWorkflowCommands(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('leaves no command line in any text, however the writes are split', () => {
    const piece = fc.oneof(
      fc.constantFrom('::', ':', '#', '##[', '[', ' ', '\t', '\u0085', '\u00a0', '\r', '\n', '\r\n', 'x', 'error'),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 8 }), (parts, cuts) => {
        const text = parts.join('');
        let out = '';
        const w = new GuardedWriter({ write: (s: string) => (out += s) });
        let at = 0;
        for (const c of cuts) {
          const to = Math.min(text.length, at + (c % 7));
          w.write(text.slice(at, to));
          at = to;
        }
        w.write(text.slice(at));
        w.flush();
        expect(commandLines(out)).toEqual([]);
        expect(out).toBe(guardWorkflowCommands(text));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
