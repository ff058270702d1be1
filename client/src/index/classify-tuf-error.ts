import { LengthOrHashMismatchError, UnsignedMetadataError } from '@tufjs/models/dist/error.js';
import { type ErrorCode, WharfError } from '@wharf/schemas';
import {
  BadVersionError,
  DownloadHTTPError,
  DownloadLengthMismatchError,
  ExpiredMetadataError,
} from 'tuf-js/dist/error.js';
import { FetchFailure, type MirrorReason } from './http-fetch.js';

const CODE_OF: Partial<Record<MirrorReason, ErrorCode>> = {
  hash: 'E_INDEX_HASH',
  rollback: 'E_INDEX_ROLLBACK',
  expired: 'E_INDEX_EXPIRED',
  signature: 'E_INDEX_SIGNATURE',
  timeout: 'E_TIMEOUT',
  'too large': 'E_TOO_LARGE',
};

/**
 * tuf-js's error classes aren't exported from its index and some are re-wrapped as RuntimeError with the
 * original only in the message, so we match classes first and the message text second.
 */
export function classifyTufError(e: unknown): { reason: MirrorReason; message: string } {
  const msg = e instanceof Error ? e.message : String(e);
  if (e instanceof FetchFailure) return { reason: e.reason, message: e.message };
  const cause = (e as { cause?: unknown }).cause;
  if (cause instanceof FetchFailure) return { reason: cause.reason, message: cause.message };
  // FetchFailure text survives RuntimeError wrapping as "... error [reason] <message>".
  const tagged = /\[(refused|timeout|http 4xx|http 5xx|not JSON|too large|error)\]/.exec(msg);
  if (tagged) return { reason: tagged[1] as MirrorReason, message: msg };
  if (e instanceof DownloadHTTPError)
    return { reason: e.statusCode >= 500 ? 'http 5xx' : 'http 4xx', message: `HTTP ${e.statusCode}` };
  if (e instanceof DownloadLengthMismatchError || /Max length reached/.test(msg))
    return { reason: 'too large', message: msg };
  if (e instanceof ExpiredMetadataError || /is expired/.test(msg)) return { reason: 'expired', message: msg };
  if (
    e instanceof BadVersionError ||
    /less than current version|does not match snapshot version|doesn't match timestamp/.test(msg)
  ) {
    return { reason: 'rollback', message: msg };
  }
  if (e instanceof LengthOrHashMismatchError || /Expected (hash|length)/.test(msg))
    return { reason: 'hash', message: msg };
  if (e instanceof UnsignedMetadataError || /failed to verify|no signature|signature/i.test(msg))
    return { reason: 'signature', message: msg };
  if (e instanceof SyntaxError || /JSON|Unexpected token/.test(msg)) return { reason: 'not JSON', message: msg };
  return { reason: 'error', message: msg };
}

export function errorCodeFor(reason: MirrorReason): ErrorCode {
  return CODE_OF[reason] ?? 'E_ALL_MIRRORS_FAILED';
}

export function toWharfError(e: unknown, what: string): WharfError {
  const { reason, message } = classifyTufError(e);
  return new WharfError(errorCodeFor(reason), `${what}: ${reason} (${message})`, { reason });
}
