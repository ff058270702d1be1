// plain-version.ts answers for plain MAJOR.MINOR.PATCH versions without loading semver: every answer must be
// semver's, for plain versions and for everything else (which it hands to semver).
import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { diff, eq, gt, isPrerelease, lt, satisfies, valid } from '../../src/install/plain-version.js';

const part = fc.oneof(
  fc.constantFrom('0', '1', '9', '10', '00', '01', '9007199254740991', '9007199254740992', '99999999999999999'),
  fc.nat({ max: 1000 }).map(String),
);
// Mostly plain versions, near misses of every kind, and whatever else a registry might hold.
const version = fc.oneof(
  fc.tuple(part, part, part).map((p) => p.join('.')),
  fc
    .tuple(part, part, part, fc.constantFrom('-rc.1', '-0', '+build.5', '-alpha+b', ' ', '.0', ''))
    .map(([a, b, c, s]) => `${a}.${b}.${c}${s}`),
  fc.tuple(fc.constantFrom('v', '=', ' ', '1.', ''), part, part).map(([p, a, b]) => `${p}${a}.${b}`),
  fc.string({ maxLength: 12 }),
);

// semver's answer, or the error it throws (gt, lt, eq and diff throw on an invalid version).
const answer = (f: () => unknown) => {
  try {
    return { value: f() };
  } catch (e) {
    return { throws: (e as Error).constructor.name };
  }
};

describe('plain versions compared without semver', () => {
  it('give semver answers on every input (ranges too)', () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        expect(valid(a)).toBe(semver.valid(a));
        expect(isPrerelease(a)).toBe(semver.prerelease(a) !== null);
        expect(answer(() => gt(a, b))).toEqual(answer(() => semver.gt(a, b)));
        expect(answer(() => lt(a, b))).toEqual(answer(() => semver.lt(a, b)));
        expect(answer(() => eq(a, b))).toEqual(answer(() => semver.eq(a, b)));
        expect(answer(() => diff(a, b))).toEqual(answer(() => semver.diff(a, b)));
      }),
      { numRuns: 5000 },
    );
    const range = fc.constantFrom('*', '^1', '~1.2', '>=1.0.0', '1.x', '', 'x', '^0.0.1', '>=1.0.0-rc.0', 'nope');
    fc.assert(
      fc.property(version, range, fc.boolean(), (v, r, includePrerelease) => {
        expect(answer(() => satisfies(v, r, { includePrerelease }))).toEqual(
          answer(() => semver.satisfies(v, r, { includePrerelease })),
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('the edges: leading zeros, the largest safe component, one past it', () => {
    for (const [a, b] of [
      ['1.2.3', '1.2.3'],
      ['01.2.3', '1.2.3'],
      ['9007199254740991.0.0', '9007199254740990.0.0'],
      ['9007199254740992.0.0', '1.0.0'],
      ['1.2.3', '1.2.3-rc.1'],
      ['1.2.3+b', '1.2.3'],
    ] as const) {
      expect(
        answer(() => gt(a, b)),
        `${a} ${b}`,
      ).toEqual(answer(() => semver.gt(a, b)));
      expect(
        answer(() => diff(a, b)),
        `${a} ${b}`,
      ).toEqual(answer(() => semver.diff(a, b)));
      expect(valid(a), a).toBe(semver.valid(a));
    }
  });
});
