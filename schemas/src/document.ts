// validateDocument: what `wharf-admin validate <file>` runs on any supported document.
import { type DocumentKind, detectKind } from './detect.js';
import { isWharfError } from './errors.js';
import { readManifest, readRegistry } from './readers/index.js';
import {
  type Problem,
  validateLockfile,
  validateManifest,
  validateRegistry,
  validateReport,
  validateSources,
  validateSubmission,
} from './validate.js';

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
    if (!isWharfError(e)) throw e;
    const listed = e.details?.problems;
    if (Array.isArray(listed) && listed.length > 0) return listed as Problem[];
    return [{ path: '', code: e.code, message: e.message }];
  }
}

export function validateDocument(x: unknown): DocumentValidation {
  const kind = detectKind(x);
  switch (kind) {
    case 'manifest':
      return { kind, problems: problemsOf(validateManifest(x)) };
    case 'registry':
      return { kind, problems: problemsOf(validateRegistry(x)) };
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
