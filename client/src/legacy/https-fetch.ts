// Nothing a legacy source serves is signed, so its transport is all the protection it has. fetchChunks already
// follows only https redirects (http only from loopback to loopback, for local registries and tests) and never
// from a public host to a private or loopback one (index/redirect-policy.ts), so legacy fetches are plain ones.
import { type FetchLimits, fetchChunks } from '../index/http-fetch.js';

/** fetchChunks for legacy sources; every redirect hop is checked by the shared redirect policy. */
export function legacyChunks(
  url: string,
  limits: FetchLimits,
  init: { maxBytes: number; headers?: Record<string, string> },
): AsyncGenerator<Uint8Array> {
  return fetchChunks(url, limits, init);
}

export async function fetchLegacyBytes(
  url: string,
  limits: FetchLimits,
  maxBytes: number,
  headers?: Record<string, string>,
): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of legacyChunks(url, limits, { maxBytes, headers })) parts.push(c);
  return Buffer.concat(parts);
}
