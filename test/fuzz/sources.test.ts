import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseSources } from '../../client/src/sources/sources-config.js';
import { fuzz } from './only-wharf-errors.js';

// sources.json is read back from the user's home (untrusted, DESIGN §4): the reader accepts or refuses with a
// WharfError, and every alias it accepts is a plain name that can't climb out of trust/ or cache/index/.

const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const source = (alias: string) => ({
  alias,
  type: 'tuf',
  mirrors: ['https://example.com/registry', 'http://127.0.0.1:4873'],
  priority: 0,
  root_sha256: SHA,
});

function parseAndCheck(text: string): void {
  const cfg = parseSources(text, 'fuzz-sources.json');
  for (const s of cfg.sources)
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(s.alias)) throw new Error(`accepted alias ${JSON.stringify(s.alias)}`);
}

const aliases = fc.oneof(
  fc.constantFrom('official', '../..', '..', '.', 'a/b', 'a\\b', '__proto__', 'x\u0000', 'UPPER', ''),
  fc.string({ maxLength: 40 }),
);

const mutated = fc
  .record({
    alias: aliases,
    current: fc.option(aliases, { nil: undefined }),
    field: fc.constantFrom('type', 'mirrors', 'priority', 'root_sha256', 'last_good'),
    value: fc.option(
      fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.constantFrom('javascript:alert(1)', 'file:///etc/passwd', ['http://evil.example.com'], 2 ** 64),
      ),
      { nil: undefined },
    ),
  })
  .map(({ alias, current, field, value }) => {
    const s: Record<string, unknown> = source(alias);
    if (value !== undefined) s[field] = value;
    return JSON.stringify({
      sources_version: 1,
      ...(current !== undefined ? { current } : {}),
      sources: [s, source('official')],
    });
  });

describe('sources reader: only WharfErrors with E_ codes come out', () => {
  it('random text', () => fuzz(fc.string({ maxLength: 200 }), parseAndCheck));
  it('random JSON', () => fuzz(fc.json({ maxDepth: 4 }), parseAndCheck));
  it('a valid sources file with one field hostile or random', () => fuzz(mutated, parseAndCheck));
});
