// plugin.json from outside, in all three shapes the reader takes (native, WXAUTO-MGT, Extism-demo).
import { parseJson, readManifest, validateDocument } from '@wharf/schemas';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { mutated, mutatedText, nastyJson } from './json-mutations.js';
import { fuzz, onlyWharfErrors } from './only-wharf-errors.js';
import { FUZZ_TIMEOUT_MS } from './run-budget.js';
import { extismxManifests, nativeManifests, wxautoManifests } from './samples.js';

const samples = (docs: unknown[]) => fc.constantFrom(...docs).chain(mutated);

const MANIFEST_KINDS = new Set(['manifest', 'wxauto-manifest', 'extismx-manifest']);

/** `wharf-admin validate` and the readers (review, add) take one path: they accept and refuse the same manifests. */
function readAndCompare(doc: unknown): void {
  const v = validateDocument(doc);
  const same = MANIFEST_KINDS.has(v.kind ?? '');
  try {
    readManifest(doc);
  } catch (e) {
    if (same && v.problems.length === 0)
      throw new Error(`readManifest refused what validate accepts: ${(e as Error).message}`);
    throw e;
  }
  if (!same || v.problems.length > 0)
    throw new Error(`validate refused (${v.kind}) what readManifest accepts: ${v.problems[0]?.message}`);
}

describe('fuzz: manifest readers', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('native plugin.json with random edits', () => fuzz(samples(nativeManifests), readAndCompare));
  it.skipIf(wxautoManifests.length === 0)('WXAUTO-MGT plugin.json with random edits', () =>
    fuzz(samples(wxautoManifests), readAndCompare),
  );
  it.skipIf(extismxManifests.length === 0)('Extism-demo plugin.json with random edits', () =>
    fuzz(samples(extismxManifests), readAndCompare),
  );
  it('random JSON values', () => fuzz(nastyJson, readAndCompare));
  it('found by fuzzing: a WXAUTO plugin_id that cannot become a string is a WharfError, not a TypeError', () =>
    onlyWharfErrors(readAndCompare)(parseJson('{"plugin_id":{"toString":null}}')));
  it('plugin.json text with textual edits (duplicate keys, cuts, deep nesting, comments)', () =>
    fuzz(mutatedText(samples([...nativeManifests, ...wxautoManifests, ...extismxManifests])), (text) =>
      readManifest(parseJson(text, 'plugin.json')),
    ));
});
