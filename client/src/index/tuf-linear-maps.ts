import { MetaFile, Snapshot, TargetFile, Targets } from '@tufjs/models';

type JSONObject = Parameters<typeof MetaFile.fromJSON>[0];

// @tufjs/models (4.1.1; the latest upstream source we could read, packages/models/src/snapshot.ts, too) builds a
// snapshot's `meta` and a targets role's `targets` with reduce((acc, [k, v]) => ({ ...acc, [k]: v }), {}) both ways,
// fromJSON and toJSON: each entry copies the map so far, O(n²). At 100k plugins in 512 hashed bins, one snapshot's
// fromJSON + toJSON (a signature check) allocated ~118 MB and took 17-35 ms; tuf-js does both for the trusted and
// the new snapshot on every refresh that is not a no-change one, and the publisher for every sign (bins: ~11 MB).
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
  oneMap(Snapshot, 'meta', originals.snapshotFrom, originals.snapshotTo, (_, m) => MetaFile.fromJSON(m));
  oneMap(Targets, 'targets', originals.targetsFrom, originals.targetsTo, (path, t) => TargetFile.fromJSON(path, t));
}

interface Entry {
  toJSON(): JSONObject;
}
type Role = { unrecognizedFields: Record<string, unknown>; toJSON(): JSONObject };

/** Replace `cls`'s fromJSON and toJSON with ones that build its map `key` in one pass around the originals. */
function oneMap<T extends Role>(
  cls: { fromJSON: unknown; prototype: T },
  key: string,
  from: FromJSON<T>,
  to: (this: T) => JSONObject,
  entry: (path: string, json: JSONObject) => Entry,
): void {
  const map = (o: T) => o as unknown as Record<string, Record<string, Entry>>;
  cls.fromJSON = (data: Record<string, unknown>) => {
    const json = data?.[key];
    if (!isObjectRecord(json)) return from(data);
    const o = from({ ...data, [key]: {} });
    map(o)[key] = Object.fromEntries(Object.entries(json).map(([path, e]) => [path, entry(path, e)]));
    return o;
  };
  cls.prototype.toJSON = function (this: T) {
    if (key in this.unrecognizedFields) return to.call(this);
    const entries = map(this)[key] as Record<string, Entry>;
    // The original runs over an empty map for its duration (synchronous: nothing else sees it).
    map(this)[key] = {};
    let json: JSONObject;
    try {
      json = to.call(this);
    } finally {
      map(this)[key] = entries;
    }
    json[key] = Object.fromEntries(Object.entries(entries).map(([path, e]) => [path, e.toJSON()]));
    return json;
  };
}
