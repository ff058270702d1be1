import { readFile } from 'node:fs/promises';
import { type DocumentKind, type Problem, validateDocument, WharfError } from '@wharf/schemas';

/** Reads a JSON file and validates it as whatever kind of document its content says it is. */
export async function validateFile(path: string): Promise<{ kind: DocumentKind | 'unknown'; problems: Problem[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new WharfError('E_USAGE', `cannot read ${path}: ${(e as Error).message}`, { path });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return {
      kind: 'unknown',
      problems: [{ path: '', code: 'E_SCHEMA', message: `not JSON: ${(e as Error).message}` }],
    };
  }
  const r = validateDocument(doc);
  return { kind: r.kind ?? 'unknown', problems: r.problems };
}
