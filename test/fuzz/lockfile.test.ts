import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseLockfile } from '../../client/src/lockfile.js';
import { fuzz } from './only-wharf-errors.js';

// The lockfile is read back from the user's home, which DESIGN §4 treats as untrusted: whatever bytes are there,
// the reader accepts or refuses with a WharfError (E_LOCK_MISMATCH, E_PATH_ESCAPE), and what it accepts only ever
// points inside the entry's own plugins/<id>/<version>-<sha12>/ dir.

const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const entry = (id: string, version = '1.2.0') => ({
  id,
  source: 'official',
  version,
  sha256: SHA,
  size: 1234,
  keyid: '7B7EFE2A9C24EF69',
  index_version: 3,
  path: `plugins/${id.replace(':', '.')}/${version}-${SHA.slice(0, 12)}/plugin.wasm`,
  permissions: {},
  exports: [{ name: 'count_vowels' }],
  installed_at: '2025-01-03T00:00:00Z',
});

/** What an accepted lockfile promises its callers (uninstall and update remove the dirs it names). */
function parseAndCheck(text: string): void {
  const lock = parseLockfile(text, 'fuzz.lock.json');
  for (const [key, e] of Object.entries(lock.plugins)) {
    const parts = e.path.split('/');
    if (e.id !== key || parts.length !== 4 || parts[0] !== 'plugins' || parts.some((p) => p === '..' || p === '.'))
      throw new Error(`accepted an entry that leaves its dir: ${key} → ${e.path}`);
  }
  if (Object.getPrototypeOf(lock.plugins) !== null) throw new Error('plugins map has a prototype');
}

const names = fc.oneof(
  fc.constantFrom('count-vowels', 'wx:simple-echo', '__proto__', 'constructor', '..', 'a/b', 'x:../y', ''),
  fc.string({ maxLength: 20 }),
);
const paths = fc.oneof(
  fc.constantFrom(
    'plugins/../../plugin.wasm',
    'plugins/count-vowels/../../x/plugin.wasm',
    '/etc/passwd',
    'C:\\\\x',
    'plugins/other/1.2.0-9f86d081884c/plugin.wasm',
    'plugins/count-vowels/1.2.0-9f86d081884c/plugin.wasm',
  ),
  fc.string({ maxLength: 60 }),
);

/** A valid lockfile with fields swapped for hostile or random values. */
const mutated = fc
  .record({
    key: names,
    id: fc.option(names, { nil: undefined }),
    path: fc.option(paths, { nil: undefined }),
    field: fc.constantFrom('source', 'version', 'sha256', 'size', 'keyid', 'index_version', 'permissions', 'exports'),
    value: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
  })
  .map(({ key, id, path, field, value }) => {
    const e: Record<string, unknown> = entry(id ?? key);
    if (path !== undefined) e.path = path;
    if (value !== undefined) e[field] = value;
    return JSON.stringify({ lockfile_version: 1, plugins: { [key]: e, 'count-vowels': entry('count-vowels') } });
  });

describe('lockfile reader: only WharfErrors with E_ codes come out', () => {
  it('random text', () => fuzz(fc.string({ maxLength: 200 }), parseAndCheck));
  it('random JSON', () => fuzz(fc.json({ maxDepth: 4 }), parseAndCheck));
  it('random JSON under a lockfile header', () =>
    fuzz(
      fc
        .dictionary(names, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 })
        .map((plugins) => JSON.stringify({ lockfile_version: 1, plugins })),
      parseAndCheck,
    ));
  it('a valid lockfile with one field hostile or random', () => fuzz(mutated, parseAndCheck));
});
