// Arbitraries for the parsers of outside JSON: real documents with a few edits at random places (so most inputs get
// past the first checks and reach the deep ones), and JSON text with the edits only text can carry (a repeated key,
// a cut, deep nesting, comments). Random JSON alone almost never looks like a manifest.
import fc from 'fast-check';

/** Strings that have broken parsers before: control and bidi characters, NFKC look-alikes, prototype names, URLs. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    '../x',
    '--upload-pack=x',
    'ｉｄ',
    'ﬁ',
    'a\u0000b',
    'a\u202eb',
    'line\r\nbreak',
    '\ud800',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'http://127.0.0.1:1/x',
    'https://github.com/a/b',
    'https://user:pw@example.com/',
    '0.0.0',
    'v1.2',
    '1.0.0-rc.1+build',
    '99999999999999999999.0.0',
    'RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3',
    'x'.repeat(5000),
  ),
);

const nastyKey: fc.Arbitrary<string> = fc.oneof(
  nastyString,
  fc.constantFrom('id', 'plugin_id', 'name', 'version', 'permissions', 'allowed_paths', 'exports', 'plugins'),
);

/** Any JSON value, with nasty strings and keys mixed in. */
export const nastyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(-0, 2 ** 53, 1e308)),
    nastyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nastyKey, tie('value'), { maxKeys: 4 }).map(asJsonObject),
  ),
})).value;

/** A JSON.parse-shaped object: `__proto__` as an own key, never as the prototype. */
function asJsonObject(d: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(d)) as Record<string, unknown>;
}

type Edit = { path: number[]; op: 'set' | 'delete' | 'add' | 'wrap' | 'empty'; key: string; value: unknown };

const edit: fc.Arbitrary<Edit> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 8 }),
  op: fc.constantFrom('set', 'set', 'delete', 'add', 'wrap', 'empty'),
  key: nastyKey,
  value: nastyJson,
});

/** Assignment would call the `__proto__` setter for that key; a JSON document only has own data properties. */
function setOwn(o: Record<string | number, unknown>, k: string | number, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] => v !== null && typeof v === 'object';

function applyEdit(doc: unknown, e: Edit): unknown {
  if (!isContainer(doc)) return e.op === 'set' ? e.value : doc;
  // Walk down: each number picks a child; stop early at a leaf.
  let parent: Record<string, unknown> | unknown[] = doc;
  let key: string | number | undefined;
  for (const n of e.path) {
    const keys: Array<string | number> = Array.isArray(parent) ? parent.map((_, i) => i) : Object.keys(parent);
    if (keys.length === 0) break;
    const k = keys[n % keys.length] as string | number;
    const child = (parent as Record<string | number, unknown>)[k];
    key = k;
    if (!isContainer(child)) break;
    parent = child;
    key = undefined;
  }
  const target = parent as Record<string | number, unknown>;
  if (key === undefined) {
    // The walk ended on a container: edit inside it.
    if (e.op === 'add' || e.op === 'set') {
      if (Array.isArray(parent)) parent.push(e.value);
      else setOwn(parent, e.key, e.value);
    } else if (e.op === 'empty') {
      if (Array.isArray(parent)) parent.length = 0;
      else for (const k of Object.keys(parent)) delete target[k];
    }
    return doc;
  }
  switch (e.op) {
    case 'set':
    case 'add':
      setOwn(target, key, e.value);
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete target[key];
      break;
    case 'wrap':
      setOwn(target, key, [target[key]]);
      break;
    case 'empty':
      setOwn(target, key, typeof target[key] === 'string' ? '' : {});
      break;
  }
  return doc;
}

/** `base` (a parsed JSON document) with 1 to 4 edits at random places. */
export function mutated(base: unknown): fc.Arbitrary<unknown> {
  return fc
    .array(edit, { minLength: 1, maxLength: 4 })
    .map((edits) => edits.reduce((d, e) => applyEdit(d, e), structuredClone(base)));
}

type TextEdit = { at: number; op: 'cut' | 'dup-key' | 'deep' | 'comment' | 'insert'; depth: number; insert: string };

const textEdit: fc.Arbitrary<TextEdit> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('cut', 'dup-key', 'deep', 'comment', 'insert'),
  depth: fc.constantFrom(2, 63, 64, 65, 200, 10_000),
  insert: fc.oneof(fc.constantFrom(',', '}', ']', '"', '\\', '{', '[', ':', 'null', '\u2028'), nastyString),
});

function applyTextEdit(text: string, e: TextEdit): string {
  const at = text.length === 0 ? 0 : e.at % text.length;
  switch (e.op) {
    case 'cut':
      return text.slice(0, at);
    case 'dup-key': {
      // Repeat the first key after some `{`: `{"k":v, ...` becomes `{"k":v,"k":v, ...`.
      const open = text.indexOf('{"', at) === -1 ? text.indexOf('{"') : text.indexOf('{"', at);
      const m =
        open === -1
          ? null
          : /^\{("(?:[^"\\]|\\.)*"\s*:\s*(?:"(?:[^"\\]|\\.)*"|-?[0-9.eE+-]+|true|false|null))/.exec(text.slice(open));
      return m && open !== -1 ? `${text.slice(0, open + 1)}${m[1]},${text.slice(open + 1)}` : text;
    }
    case 'deep': {
      // Put a value `depth` arrays deep where a value may stand (after a colon), or wrap the whole document.
      const colon = text.indexOf(':', at);
      const deep = `${'['.repeat(e.depth)}1${']'.repeat(e.depth)}`;
      return colon === -1
        ? `${'['.repeat(e.depth)}${text}${']'.repeat(e.depth)}`
        : `${text.slice(0, colon + 1)}${deep},"x":${text.slice(colon + 1)}`;
    }
    case 'comment':
      return `${text.slice(0, at)}/* c */${text.slice(at)}`;
    case 'insert':
      return `${text.slice(0, at)}${e.insert}${text.slice(at)}`;
  }
}

/** JSON text of `docs`, pretty or compact, with up to 2 textual edits. */
export function mutatedText(docs: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc
    .tuple(docs, fc.boolean(), fc.array(textEdit, { maxLength: 2 }))
    .map(([doc, pretty, edits]) =>
      edits.reduce(applyTextEdit, JSON.stringify(doc, null, pretty ? 2 : undefined) ?? 'null'),
    );
}
