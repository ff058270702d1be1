import { readFile } from 'node:fs/promises';
import { type DocumentKind, type Problem, validateDocumentText, WharfError } from '@wharf/schemas';

/**
 * Reads a JSON file and validates it as whatever kind of document its content says it is. The text goes through
 * parseJson like every other reader of outside JSON, so duplicate keys and over-deep nesting are problems here too.
 */
export async function validateFile(path: string): Promise<{ kind: DocumentKind | 'unknown'; problems: Problem[] }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new WharfError('E_USAGE', `cannot read ${path}: ${(e as Error).message}`, { path });
  }
  const r = validateDocumentText(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  return { kind: r.kind ?? 'unknown', problems: r.problems };
}
