import { createRequire } from 'node:module';

// The OLPC canonicalizer that @tufjs/models itself signs and verifies with. We resolve it from @tufjs/models'
// own location (it is that package's declared dependency, not ours), so our keyids and signatures are computed
// over exactly the bytes tuf-js will check, whatever npm's hoisting does.
const requireHere = createRequire(import.meta.url);
const requireFromModels = createRequire(requireHere.resolve('@tufjs/models'));
const lib = requireFromModels('@tufjs/canonical-json') as { canonicalize(value: unknown): string };

export function canonicalize(value: unknown): string {
  return lib.canonicalize(value);
}
