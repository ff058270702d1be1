import semverDiff from 'semver/functions/diff.js';
import semverEq from 'semver/functions/eq.js';
import semverGt from 'semver/functions/gt.js';
import semverLt from 'semver/functions/lt.js';
import semverPrerelease from 'semver/functions/prerelease.js';
import semverSatisfies from 'semver/functions/satisfies.js';
import semverValid from 'semver/functions/valid.js';

// semver's first use builds its ~40 token regexes (~0.7 ms of a ~24 ms `wharf outdated`, and the young-generation
// headroom that then costs a scavenge). Registry versions are nearly always plain MAJOR.MINOR.PATCH: two of those
// are compared here as three integers, and anything else goes to semver itself, so the answers are semver's
// (client/test/install/plain-version.test.ts checks that on generated versions).

const PLAIN = /^(0|[1-9]\d{0,15})\.(0|[1-9]\d{0,15})\.(0|[1-9]\d{0,15})$/;

/** [major, minor, patch] of a plain version semver accepts as it is (no prerelease, build, v, spaces), else undefined. */
function plain(v: unknown): [number, number, number] | undefined {
  const m = typeof v === 'string' ? PLAIN.exec(v) : null;
  if (!m) return undefined;
  const n = [Number(m[1]), Number(m[2]), Number(m[3])] as [number, number, number];
  return n.every(Number.isSafeInteger) ? n : undefined;
}

function compare(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Both plain: their comparison; else undefined (semver answers). */
function plainCompare(a: string, b: string): number | undefined {
  const x = plain(a);
  const y = x && plain(b);
  return x && y ? Math.sign(compare(x, y)) : undefined;
}

export const valid = (v: string): string | null => (plain(v) ? v : semverValid(v));
export const isPrerelease = (v: string): boolean => (plain(v) ? false : semverPrerelease(v) !== null);
export const gt = (a: string, b: string): boolean => {
  const c = plainCompare(a, b);
  return c === undefined ? semverGt(a, b) : c > 0;
};
export const lt = (a: string, b: string): boolean => {
  const c = plainCompare(a, b);
  return c === undefined ? semverLt(a, b) : c < 0;
};
export const eq = (a: string, b: string): boolean => {
  const c = plainCompare(a, b);
  return c === undefined ? semverEq(a, b) : c === 0;
};

/** semver.diff: the most significant part that differs, or null when equal. */
export function diff(a: string, b: string): ReturnType<typeof semverDiff> {
  const x = plain(a);
  const y = x && plain(b);
  if (!x || !y) return semverDiff(a, b);
  if (x[0] !== y[0]) return 'major';
  if (x[1] !== y[1]) return 'minor';
  if (x[2] !== y[2]) return 'patch';
  return null;
}

/** semver.satisfies; `*` (what `wharf install <id>` asks) matches every plain version without parsing a Range. */
export function satisfies(v: string, range: string, opts: { includePrerelease?: boolean } = {}): boolean {
  return range === '*' && plain(v) ? true : semverSatisfies(v, range, opts);
}
