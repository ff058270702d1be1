import type { CheckResult } from '@wharf/schemas';

/** Checks that bear on whether the bytes are safe to run; everything else counts towards quality. */
const SECURITY_CHECKS: ReadonlySet<string> = new Set([
  'id.rules',
  'urls.https',
  'artifact.digest',
  'signature.valid',
  'signature.binding',
  'key.repo',
  'key.pinned',
  'version.immutable',
  'repo.id',
  'submission.owner',
  'wasm.size',
  'wasm.valid',
  'wasm.limits',
  'wasm.memory',
  'wasm.imports',
  'wasm.wasi',
  'wasm.exports',
  'wasm.permissions',
  'smoke.run',
]);

const WEIGHTS = { security: { fail: 40, warn: 10, skip: 2 }, quality: { fail: 30, warn: 10, skip: 2 } } as const;

export const SCORE_FORMULA =
  `security_score = max(0, 100 - ${WEIGHTS.security.fail}*fail - ${WEIGHTS.security.warn}*warn - ${WEIGHTS.security.skip}*skip) over the security checks (${[...SECURITY_CHECKS].join(', ')}); ` +
  `quality_score = max(0, 100 - ${WEIGHTS.quality.fail}*fail - ${WEIGHTS.quality.warn}*warn - ${WEIGHTS.quality.skip}*skip) over all other checks; ` +
  'passed = no failed check and security_score >= 80 and quality_score >= 70';

export function isSecurityCheck(id: string): boolean {
  return SECURITY_CHECKS.has(id);
}

export function scoreChecks(checks: CheckResult[]): { security_score: number; quality_score: number } {
  const score = (kind: 'security' | 'quality') => {
    const w = WEIGHTS[kind];
    let s = 100;
    for (const c of checks) {
      if (isSecurityCheck(c.id) !== (kind === 'security')) continue;
      if (c.status === 'fail') s -= w.fail;
      else if (c.status === 'warn') s -= w.warn;
      else if (c.status === 'skip') s -= w.skip;
    }
    return Math.max(0, s);
  };
  return { security_score: score('security'), quality_score: score('quality') };
}
