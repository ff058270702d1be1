// The linear Snapshot/Targets map building against @tufjs/models' own (quadratic) code: the same objects, the same
// JSON byte for byte (what signatures cover), the same refusals.
import { Metadata, MetadataKind, Snapshot, Targets } from '@tufjs/models';
import { describe, expect, it } from 'vitest';
import { linearTufMaps, originalTufMaps } from '../src/index/tuf-linear-maps.js';

const common = { spec_version: '1.0.31', version: 7, expires: '2030-01-01T00:00:00Z' };
// Names an object literal or an assignment would treat specially, beside ordinary ones.
const ODD = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '0', ''];

const snapshotJson = (n: number) => ({
  _type: 'snapshot',
  ...common,
  meta: Object.fromEntries([
    ['targets.json', { version: 3 }],
    ...Array.from({ length: n }, (_, i) => [`bins-${i.toString(16).padStart(3, '0')}.json`, { version: i + 1 }]),
    ...ODD.map((k) => [k, { version: 1, length: 10, hashes: { sha256: 'ab'.repeat(32) } }]),
  ]),
  'x-custom': { kept: true },
});

const targetsJson = (n: number) => ({
  _type: 'targets',
  ...common,
  targets: Object.fromEntries([
    ...Array.from({ length: n }, (_, i) => [
      `plugins/p-${i}.json`,
      { length: 100 + i, hashes: { sha256: i.toString(16).padStart(64, '0') }, custom: { i } },
    ]),
    ...ODD.map((k) => [k, { length: 1, hashes: { sha256: 'cd'.repeat(32) } }]),
  ]),
  delegations: {
    keys: {},
    succinct_roles: { keyids: [], threshold: 1, bit_length: 9, name_prefix: 'bins' },
  },
});

// JSON.parse, so that "__proto__" is an own key as it is in metadata read from disk or the network.
const parsed = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe('linearTufMaps', () => {
  it('reads and writes Snapshot and Targets exactly as @tufjs/models does', () => {
    const orig = originalTufMaps();
    linearTufMaps();
    linearTufMaps(); // idempotent
    expect(Snapshot.fromJSON).not.toBe(orig.snapshotFrom);
    for (const n of [0, 1, 600]) {
      const sj = parsed(snapshotJson(n));
      const a = Snapshot.fromJSON(sj);
      const b = orig.snapshotFrom(sj);
      expect(Object.keys(a.meta)).toEqual(Object.keys(b.meta));
      expect(Object.getPrototypeOf(a.meta)).toBe(Object.prototype);
      expect(Object.hasOwn(a.meta, '__proto__')).toBe(true);
      expect(a).toEqual(b);
      expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(orig.snapshotTo.call(b)));

      const tj = parsed(targetsJson(n));
      const c = Targets.fromJSON(tj);
      const d = orig.targetsFrom(tj);
      expect(Object.keys(c.targets)).toEqual(Object.keys(d.targets));
      expect(Object.hasOwn(c.targets, '__proto__')).toBe(true);
      expect(c).toEqual(d);
      expect(JSON.stringify(c.toJSON())).toBe(JSON.stringify(orig.targetsTo.call(d)));
    }
    // Through Metadata, as tuf-js loads them.
    const md = Metadata.fromJSON(MetadataKind.Snapshot, { signatures: [], signed: parsed(snapshotJson(50)) });
    expect(md.signed.toJSON()).toEqual(orig.snapshotTo.call(orig.snapshotFrom(parsed(snapshotJson(50)))));
  });

  it('refuses what the library refuses, with its errors', () => {
    const orig = originalTufMaps();
    linearTufMaps();
    const errorOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    const bad: Array<Record<string, unknown>> = [
      { ...snapshotJson(2), meta: { 'targets.json': 'not an object' } },
      { ...snapshotJson(2), meta: 5 },
      { ...snapshotJson(2), meta: { 'bins-000.json': { version: 'one' } } },
      { ...snapshotJson(2), version: '7' },
    ];
    for (const x of bad) {
      expect(errorOf(() => orig.snapshotFrom(x))).not.toBe('no error');
      expect(errorOf(() => Snapshot.fromJSON(x as never))).toBe(errorOf(() => orig.snapshotFrom(x)));
    }
    const badTargets: Array<Record<string, unknown>> = [
      { ...targetsJson(2), targets: { a: null } },
      { ...targetsJson(2), targets: { a: { length: -1, hashes: {} } } },
      { ...targetsJson(2), targets: { a: { length: 'x', hashes: {} } } },
      { ...targetsJson(2), delegations: 'x' },
    ];
    for (const x of badTargets) {
      expect(errorOf(() => orig.targetsFrom(x))).not.toBe('no error');
      expect(errorOf(() => Targets.fromJSON(x as never))).toBe(errorOf(() => orig.targetsFrom(x)));
    }
    // A map the one pass would not read as the library does is left to the library.
    const withDefault = Snapshot.fromJSON({ _type: 'snapshot', ...common } as never);
    expect(withDefault).toEqual(orig.snapshotFrom({ _type: 'snapshot', ...common }));
    expect(Object.keys(withDefault.meta)).toEqual(['targets.json']);
    const noTargets = { _type: 'targets', ...common };
    expect(Targets.fromJSON(noTargets as never)).toEqual(orig.targetsFrom(noTargets));
  });
});
