import { MetaFile, Snapshot, TargetFile, Targets } from '@tufjs/models';

type JSONObject = Parameters<typeof MetaFile.fromJSON>[0];

// @tufjs/models (4.1.1, and upstream's main when checked) builds a snapshot's `meta` and a targets role's `targets`
// with reduce((acc, [k, v]) => ({ ...acc, [k]: v }), {}) both ways, fromJSON and toJSON: each entry copies the map
// so far, O(n²). At 100k plugins in 512 hashed bins, one snapshot's fromJSON + toJSON (a signature check) allocated
// ~118 MB and took 17-35 ms; tuf-js does both for the trusted and the new snapshot on every refresh that is not a
// no-change one, and the publisher for every sign. A bin of 200 targets cost ~11 MB.
// These wrappers keep the library's own code for everything else (its field checks and errors, its key order): it
// runs on an empty map, and the map is built in one pass in its place, with the same own properties
// (Object.fromEntries defines them as the spread does, "__proto__" included) and the same per-entry fromJSON/toJSON.
// Anything the one pass would not read the same way is left to the original, which then throws as it would have.

const PATCHED = Symbol.for('wharf.tufLinearMaps');

// guard.isObjectRecord of @tufjs/models: what its fromJSON accepts as a map.
const isObjectRecord = (x: unknown): x is Record<string, JSONObject> =>
  typeof x === 'object' && x !== null && Object.values(x).every((v) => typeof v === 'object' && v !== null);

type FromJSON<T> = (data: Record<string, unknown>) => T;

interface Originals {
  snapshotFrom: FromJSON<Snapshot>;
  snapshotTo: Snapshot['toJSON'];
  targetsFrom: FromJSON<Targets>;
  targetsTo: Targets['toJSON'];
}
const slot = Snapshot as unknown as Record<symbol, Originals | undefined>;

/** The library's own methods, as they were before linearTufMaps (for the test that compares the two). */
export function originalTufMaps(): Originals {
  return (
    slot[PATCHED] ?? {
      snapshotFrom: Snapshot.fromJSON as FromJSON<Snapshot>,
      snapshotTo: Snapshot.prototype.toJSON,
      targetsFrom: Targets.fromJSON as FromJSON<Targets>,
      targetsTo: Targets.prototype.toJSON,
    }
  );
}

/** Swap the quadratic map building of Snapshot and Targets for a linear one, once per process (idempotent). */
export function linearTufMaps(): void {
  if (slot[PATCHED]) return;
  const originals = originalTufMaps();
  slot[PATCHED] = originals;
  const { snapshotFrom, snapshotTo, targetsFrom, targetsTo } = originals;
  (Snapshot as unknown as { fromJSON: FromJSON<Snapshot> }).fromJSON = (data) => {
    const meta = data?.meta;
    if (!isObjectRecord(meta)) return snapshotFrom(data);
    const s = snapshotFrom({ ...data, meta: {} });
    (s as { meta: Snapshot['meta'] }).meta = Object.fromEntries(
      Object.entries(meta).map(([path, m]) => [path, MetaFile.fromJSON(m)]),
    );
    return s;
  };
  Snapshot.prototype.toJSON = function (this: Snapshot) {
    if ('meta' in this.unrecognizedFields) return snapshotTo.call(this);
    const json = withEmpty(this, 'meta', () => snapshotTo.call(this));
    json.meta = Object.fromEntries(Object.entries(this.meta).map(([path, m]) => [path, m.toJSON()]));
    return json;
  };

  (Targets as unknown as { fromJSON: FromJSON<Targets> }).fromJSON = (data) => {
    const targets = data?.targets;
    if (!isObjectRecord(targets)) return targetsFrom(data);
    const t = targetsFrom({ ...data, targets: {} });
    (t as { targets: Targets['targets'] }).targets = Object.fromEntries(
      Object.entries(targets).map(([path, target]) => [path, TargetFile.fromJSON(path, target)]),
    );
    return t;
  };
  Targets.prototype.toJSON = function (this: Targets) {
    if ('targets' in this.unrecognizedFields) return targetsTo.call(this);
    const json = withEmpty(this, 'targets', () => targetsTo.call(this));
    json.targets = Object.fromEntries(Object.entries(this.targets).map(([path, t]) => [path, t.toJSON()]));
    return json;
  };
}

/** Run `fn` with `obj[key]` an empty map for its duration (synchronous: nothing else sees it). */
function withEmpty<O extends object, R>(obj: O, key: keyof O, fn: () => R): R {
  const kept = obj[key];
  (obj as Record<keyof O, unknown>)[key] = {};
  try {
    return fn();
  } finally {
    obj[key] = kept;
  }
}
