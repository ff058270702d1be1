import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseJson, readManifest, validateDocument, validateDocumentText } from '../src/index.js';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as { code: string; message: string; details?: { reason?: string; problems?: { path: string }[] } };
  }
  throw new Error('expected a refusal');
};

describe('parseJson, the one entry point for outside JSON', () => {
  it('parses what JSON.parse parses, from text or bytes', () => {
    const text = '{"a":[1,{"b":"ü"}],"c":null}';
    expect(parseJson(text)).toEqual(JSON.parse(text));
    expect(parseJson(new TextEncoder().encode(text))).toEqual(JSON.parse(text));
    // Same key in sibling objects is not a duplicate.
    expect(parseJson('[{"x":1},{"x":2}]')).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('refuses duplicate keys at any depth, escaped spellings included, naming the path', () => {
    for (const [text, path] of [
      ['{"a":1,"a":1}', '/a'],
      ['{"p":{"q":[{"id":"x","id":"y"}]}}', '/p/q/0/id'],
      ['{"a":1,"\\u0061":2}', '/a'],
    ] as const) {
      const e = refusal(() => parseJson(text, 'plugin.json'));
      expect(e).toMatchObject({ code: 'E_SCHEMA', details: { reason: 'duplicate-key' } });
      expect(e.message).toMatch(/^plugin\.json has the key "[a-z]+" twice/);
      expect(e.details?.problems?.[0]?.path).toBe(path);
    }
  });

  it(`takes ${MAX_JSON_DEPTH} levels and refuses one more, and 10,000, before recursing (E_SCHEMA)`, () => {
    expect(() => parseJson(nested(MAX_JSON_DEPTH))).not.toThrow();
    for (const depth of [MAX_JSON_DEPTH + 1, 10_000, 1_000_000]) {
      expect(refusal(() => parseJson(nested(depth)))).toMatchObject({ code: 'E_SCHEMA', details: { reason: 'depth' } });
    }
  });

  it('refuses non-JSON as E_SCHEMA syntax, comments and trailing commas included', () => {
    for (const text of ['', '{', '{"a":1,}', '{"a":1 /* c */}', '// c\n{}', 'NaN', '\ufeff{}', "{'a':1}"]) {
      expect(refusal(() => parseJson(text))).toMatchObject({ code: 'E_SCHEMA', details: { reason: 'syntax' } });
    }
  });

  it('keeps "__proto__" an own key, like JSON.parse, and never sets a prototype', () => {
    const v = parseJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('validateDocumentText reports a refusal as one problem with no kind', () => {
    expect(validateDocumentText('{"id":"a","id":"b"}')).toEqual({
      kind: undefined,
      problems: [{ path: '/id', code: 'E_SCHEMA', message: 'the document has the key "id" twice (at /id)' }],
    });
  });
});

describe('the readers keep what parseJson kept', () => {
  it('refuse two keys that NFC makes one (E_SCHEMA), in readManifest and validateDocument alike', () => {
    // Display text is NFC (full-width text stays as written), so "é" and "e\u0301" are the keys that collide.
    const doc = parseJson(
      '{"id":"count-vowels","permissions":{"allowed_paths":{"/data/caf\u00e9":"/a","/data/cafe\u0301":"/b"}}}',
    );
    expect(refusal(() => readManifest(doc))).toMatchObject({ code: 'E_SCHEMA' });
    expect(validateDocument(doc).problems).toContainEqual(
      expect.objectContaining({ code: 'E_SCHEMA', path: expect.stringContaining('/permissions/allowed_paths') }),
    );
  });

  it('refuse an object nested deeper than the bound when handed one directly', () => {
    let deep: unknown = {};
    for (let i = 0; i < 10_000; i++) deep = { id: 'x', a: deep };
    expect(refusal(() => readManifest(deep))).toMatchObject({ code: 'E_SCHEMA' });
  });
});
