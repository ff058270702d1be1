import { diff, eq, lt } from './plain-version.js';

export type ChangeKind = 'patch' | 'minor' | 'major' | 'downgrade' | 'prerelease' | 'none';

/** How `outdated` and `update` label a move from one version to another. */
export function changeKind(from: string, to: string): ChangeKind {
  if (eq(from, to)) return 'none';
  if (lt(to, from)) return 'downgrade';
  const d = diff(from, to);
  if (d === 'major' || d === 'premajor') return 'major';
  if (d === 'minor' || d === 'preminor') return 'minor';
  if (d === 'patch' || d === 'prepatch') return 'patch';
  return 'prerelease';
}
