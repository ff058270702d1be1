// The one entry point for outside JSON (schemas parseJson) and `wharf-admin validate`'s text path on top of it.
import { isWharfError, MAX_JSON_DEPTH, parseJson, validateDocumentText } from '@wharf/schemas';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { mutated, mutatedText } from './json-mutations.js';
import { FUZZ_RUNS, fuzz } from './only-wharf-errors.js';
import { FUZZ_TIMEOUT_MS } from './run-budget.js';
import { nativeManifests, nativeRegistries, wxautoRegistries } from './samples.js';

const documents = fc.constantFrom(...nativeManifests, ...nativeRegistries, ...wxautoRegistries).chain(mutated);

/** Accepting means agreeing with JSON.parse; refusing syntax means JSON.parse refuses too. */
function agreesWithJsonParse(text: string): void {
  let ours: unknown;
  try {
    ours = parseJson(text);
  } catch (e) {
    if (!isWharfError(e, 'E_SCHEMA')) throw e;
    if (e.details?.reason === 'syntax') {
      let parsed = true;
      try {
        JSON.parse(text);
      } catch {
        parsed = false;
      }
      if (parsed) throw new Error(`refused as not JSON, but JSON.parse reads it: ${e.message}`);
    }
    throw e;
  }
  if (JSON.stringify(ours) !== JSON.stringify(JSON.parse(text))) throw new Error('parseJson and JSON.parse disagree');
}

/** Brackets and braces nested up to 20,000 deep, sometimes unbalanced, sometimes with keys. */
const deepText = fc
  .tuple(
    fc.nat(20_000),
    fc.array(fc.constantFrom('[', '{"a":', '[{"b":['), { minLength: 1, maxLength: 3 }),
    fc.boolean(),
  )
  .map(([depth, opens, balanced]) => {
    let open = '';
    let close = '';
    for (let i = 0; i < depth; i++) {
      const o = opens[i % opens.length] as string;
      open += o;
      close = (o === '[' ? ']' : o === '{"a":' ? '}' : ']}]') + close;
    }
    return `${open}1${balanced ? close : close.slice(1)}`;
  });

describe('fuzz: parseJson and validateDocumentText', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('random text', () => fuzz(fc.string({ unit: 'binary', maxLength: 500 }), agreesWithJsonParse));
  it('random JSON text (unique keys): parsed exactly as JSON.parse does', () =>
    fc.assert(
      fc.property(fc.json({ depthSize: 'medium' }), (text) => {
        agreesWithJsonParse(text);
      }),
      { numRuns: FUZZ_RUNS },
    ));
  it('real documents as edited text (duplicate keys, cuts, deep nesting, comments)', () =>
    fuzz(mutatedText(documents), agreesWithJsonParse));
  it(`nesting up to 20,000 deep: refused past ${MAX_JSON_DEPTH}, never a stack overflow`, () =>
    fuzz(deepText, agreesWithJsonParse));
  it('validateDocumentText never throws: every refusal is a listed problem with an E_ code', () =>
    fc.assert(
      fc.property(fc.oneof(mutatedText(documents), deepText), (text) => {
        const r = validateDocumentText(text);
        if (!r.problems.every((p) => /^E_[A-Z_]+$/.test(p.code))) throw new Error('a problem without an E_ code');
      }),
      { numRuns: FUZZ_RUNS },
    ));
});
