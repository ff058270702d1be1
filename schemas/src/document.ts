// The one entry point for JSON from outside (parseJson), and validateDocument: what `wharf-admin validate <file>`
// runs on any supported document.
import { type JSONPath, visit } from 'jsonc-parser';
import { type DocumentKind, detectKind } from './detect.js';
import { isWharfError, WharfError } from './errors.js';
import { MAX_JSON_DEPTH } from './json-limits.js';
import { readManifest, readRegistry } from './readers/index.js';
import {
  jsonPointer,
  type Problem,
  validateLockfile,
  validateReport,
  validateSources,
  validateSubmission,
} from './validate.js';

/** Why parseJson refused: text that is not JSON at all, or JSON this project will not read. */
export type JsonRefusal = 'syntax' | 'duplicate-key' | 'depth';

function refuse(what: string, reason: JsonRefusal, path: JSONPath, message: string): never {
  const pointer = jsonPointer(...path);
  const sentence = `${what} ${message}${pointer ? ` (at ${pointer})` : ''}`;
  throw new WharfError('E_SCHEMA', `${sentence}.`, {
    reason,
    problems: [{ path: pointer, code: 'E_SCHEMA', message: sentence }],
  });
}

/**
 * Parses JSON from outside (throws E_SCHEMA with details.reason a JsonRefusal and details.problems): plugin.json, registry.json, reports, WXAUTO files. JSON.parse keeps the last of two equal
 * keys, so a document could show a reviewer one value and hand the program another; it is also iterative, so a
 * 10,000-deep document parses and then overflows the stack of whatever walks it. jsonc-parser's visitor (strict
 * JSON: no comments, no trailing commas) sees every key in order and every nesting level before descending, so both
 * are refused here (E_SCHEMA) before anything recursive runs; JSON.parse then builds the value and judges syntax.
 * The visitor reports keys, not duplicates: keeping one Set of keys per open object is the only code added.
 */
export function parseJson(input: string | Uint8Array, what = 'the document'): unknown {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { ignoreBOM: true }).decode(input);
  const open: Array<Set<string> | undefined> = [];
  const enter = (keys: Set<string> | undefined, path: () => JSONPath): void => {
    if (open.length >= MAX_JSON_DEPTH) refuse(what, 'depth', path(), `nests deeper than ${MAX_JSON_DEPTH} levels`);
    open.push(keys);
  };
  visit(
    text,
    {
      onObjectBegin: (_o, _l, _sl, _sc, path) => enter(new Set(), path),
      onArrayBegin: (_o, _l, _sl, _sc, path) => enter(undefined, path),
      onObjectEnd: () => {
        open.pop();
      },
      onArrayEnd: () => {
        open.pop();
      },
      onObjectProperty: (key, _o, _l, _sl, _sc, path) => {
        const keys = open.at(-1);
        if (keys === undefined) return;
        if (keys.has(key)) refuse(what, 'duplicate-key', [...path(), key], `has the key ${JSON.stringify(key)} twice`);
        keys.add(key);
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  try {
    return JSON.parse(text);
  } catch (e) {
    return refuse(what, 'syntax', [], `is not JSON: ${(e as Error).message}`);
  }
}

export interface DocumentValidation {
  kind: DocumentKind | undefined;
  /** Empty when the document is valid. Legacy kinds report paths in their mapped (native) form. */
  problems: Problem[];
}

function problemsOf(r: { ok: true } | { ok: false; problems: Problem[] }): Problem[] {
  return r.ok ? [] : r.problems;
}

/** Legacy kinds go through their reader (which maps, then validates); a refusal becomes problems. */
function viaReader(read: () => unknown): Problem[] {
  try {
    read();
    return [];
  } catch (e) {
    return refusalProblems(e);
  }
}

function refusalProblems(e: unknown): Problem[] {
  if (!isWharfError(e)) throw e;
  const listed = e.details?.problems;
  if (Array.isArray(listed) && listed.length > 0) return listed as Problem[];
  return [{ path: '', code: e.code, message: e.message }];
}

/**
 * Manifests and registries, native or legacy, go through their readers: the one path the review bot, `add` and the
 * client take, so `validate` cannot pass or refuse what they would not.
 */
export function validateDocument(x: unknown): DocumentValidation {
  const kind = detectKind(x);
  switch (kind) {
    case 'manifest':
      return { kind, problems: viaReader(() => readManifest(x)) };
    case 'registry':
      return { kind, problems: viaReader(() => readRegistry(x)) };
    case 'lockfile':
      return { kind, problems: problemsOf(validateLockfile(x)) };
    case 'sources':
      return { kind, problems: problemsOf(validateSources(x)) };
    case 'report':
      return { kind, problems: problemsOf(validateReport(x)) };
    case 'submission':
      return { kind, problems: problemsOf(validateSubmission(x)) };
    case 'wxauto-manifest':
    case 'extismx-manifest':
      return { kind, problems: viaReader(() => readManifest(x)) };
    case 'wxauto-registry':
      return { kind, problems: viaReader(() => readRegistry(x)) };
    default:
      return {
        kind: undefined,
        problems: [
          {
            path: '',
            code: 'E_SCHEMA',
            message: 'not a recognised Wharf document (manifest, registry, lockfile, sources, report or submission)',
          },
        ],
      };
  }
}

/** JSON text → its kind and problems; text that is not JSON (or has duplicate keys, or nests too deep) is one problem. */
export function validateDocumentText(text: string | Uint8Array): DocumentValidation {
  let doc: unknown;
  try {
    doc = parseJson(text);
  } catch (e) {
    return { kind: undefined, problems: refusalProblems(e) };
  }
  return validateDocument(doc);
}
