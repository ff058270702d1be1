// Stable error codes (DESIGN.md §7). Every refusal carries one of these and a human sentence.
export const ERROR_CODES = [
  // index
  'E_INDEX_HASH',
  'E_INDEX_ROLLBACK',
  'E_INDEX_EXPIRED',
  'E_INDEX_SIGNATURE',
  'E_ALL_MIRRORS_FAILED',
  'E_TIMEOUT',
  'E_TOO_LARGE',
  'E_SOURCE_CONFLICT',
  'E_ROOT_FINGERPRINT',
  'E_INDEX_STALE',
  'E_SOURCE_UNREACHABLE',
  'E_INDEX_EXPIRING',
  // install
  'E_NOT_FOUND',
  'E_NO_MATCHING_VERSION',
  'E_ARTIFACT_HASH',
  'E_SIG_INVALID',
  'E_SIG_BINDING',
  'E_KEY_CHANGED',
  'E_DOWNGRADE',
  'E_YANKED',
  'E_DEPRECATED',
  'E_CAPABILITY_ESCALATION',
  'E_LOCK_MISMATCH',
  'E_PATH_ESCAPE',
  'E_UNPINNED',
  'E_DEP_MISSING',
  'E_DEP_CYCLE',
  'E_DEP_CONFLICT',
  'E_NOT_INSTALLED',
  'E_HOME_LOCKED',
  // content
  'E_ID_INVALID',
  'E_NAME_CONFLICT',
  'E_URL_SCHEME',
  'E_TEXT_CONTROL_CHARS',
  'E_SCHEMA',
  'E_SUBMISSION_INVALID',
  'E_CATEGORY_UNKNOWN',
  'E_PERMISSION_UNKNOWN',
  'E_PERMISSION_UNSUPPORTED',
  // wasm
  'E_WASM_INVALID',
  'E_WASM_LIMITS',
  'E_WASM_IMPORT',
  'E_WASM_EXPORT',
  'E_WASM_MEMORY',
  'E_RUNTIME_UNSUPPORTED',
  // runtime
  'E_PLUGIN_TIMEOUT',
  'E_PLUGIN_TRAP',
  'E_HTTP_HOST_DENIED',
  'E_HTTP_REDIRECT_BLOCKED',
  'E_PLUGIN_FAILED',
  // publish
  'E_VERSION_IMMUTABLE',
  'E_DIGEST_CHANGED',
  'E_NOT_MAINTAINER',
  'E_REPO_ID_MISMATCH',
  'E_MIRROR_SHRINK',
  'E_MIRROR_LAG',
  'E_RATE_LIMITED',
  // local
  'E_USAGE',
  'E_IO',
  'E_SOURCE_UNKNOWN',
  'E_TEST_FAILED',
  'E_INTERRUPTED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class WharfError extends Error {
  override readonly name = 'WharfError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export function isWharfError(e: unknown, code?: ErrorCode): e is WharfError {
  return (
    e instanceof Error &&
    (e as WharfError).name === 'WharfError' &&
    (code === undefined || (e as WharfError).code === code)
  );
}
