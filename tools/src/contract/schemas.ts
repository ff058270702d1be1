// What tools needs from @wharf/schemas, in the shapes its callers use: readManifest validates as well as maps
// legacy shapes, since `add` must never take a manifest the schema refuses.
import { type Manifest, readManifest as mapManifest, validateManifest, WharfError } from '@wharf/schemas';

export { checkId, checkUrl, type DocumentValidation, type Problem, validateDocument } from '@wharf/schemas';

export function readManifest(input: unknown): Manifest {
  const manifest = mapManifest(input);
  const v = validateManifest(manifest);
  if (!v.ok) {
    throw new WharfError(
      v.problems[0]?.code ?? 'E_SCHEMA',
      `manifest is invalid: ${v.problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ')}`,
      { problems: v.problems },
    );
  }
  return manifest;
}
