// registry.json from outside: the native signed index and a WXAUTO-MGT legacy registry, as objects and as text.
import { parseJson, readRegistry, readRegistryWithNotes, validateDocument } from '@wharf/schemas';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { mutated, mutatedText, nastyJson } from './json-mutations.js';
import { fuzz } from './only-wharf-errors.js';
import { FUZZ_TIMEOUT_MS } from './run-budget.js';
import { nativeRegistries, wxautoRegistries } from './samples.js';

const samples = (docs: unknown[]) => fc.constantFrom(...docs).chain(mutated);

/** validate and the reader take one path; a WXAUTO mapping either refuses or yields a registry that validates. */
function readAndCompare(doc: unknown): void {
  const v = validateDocument(doc);
  const same = v.kind === 'registry' || v.kind === 'wxauto-registry';
  let reading: ReturnType<typeof readRegistryWithNotes>;
  try {
    reading = readRegistryWithNotes(doc);
  } catch (e) {
    if (same && v.problems.length === 0)
      throw new Error(`readRegistry refused what validate accepts: ${(e as Error).message}`);
    throw e;
  }
  if (!same || v.problems.length > 0)
    throw new Error(`validate refused (${v.kind}) what readRegistry accepts: ${v.problems[0]?.message}`);
  // What the reader hands on is native and stable: reading it again accepts it unchanged.
  const again = readRegistry(JSON.parse(JSON.stringify(reading.registry)));
  if (JSON.stringify(again) !== JSON.stringify(reading.registry)) throw new Error('a mapped registry does not re-read');
}

describe('fuzz: registry readers', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('native registry.json with random edits', () => fuzz(samples(nativeRegistries), readAndCompare));
  it.skipIf(wxautoRegistries.length === 0)('WXAUTO-MGT registry.json with random edits', () =>
    fuzz(samples(wxautoRegistries), readAndCompare),
  );
  it('random JSON values', () => fuzz(nastyJson, readAndCompare));
  it('registry.json text with textual edits (duplicate keys, cuts, deep nesting, comments)', () =>
    fuzz(mutatedText(samples([...nativeRegistries, ...wxautoRegistries])), (text) =>
      readRegistry(parseJson(text, 'registry.json')),
    ));
});
