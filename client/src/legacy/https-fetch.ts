// Nothing a legacy source serves is signed, so its transport is all the protection it has: a redirect that
// leaves https (loopback aside, for local registries and tests) is refused like an http URL would be.
import { urlProblem, WharfError } from '@wharf/schemas';
import { type FetchLimits, fetchChunks } from '../index/http-fetch.js';

export function refuseInsecureRedirect(res: Response): void {
  const why = res.redirected ? urlProblem(res.url, { allowLoopback: true, field: 'redirect' }) : undefined;
  if (why === undefined) return;
  res.body?.cancel().catch(() => {});
  throw new WharfError('E_URL_SCHEME', `Refused a redirect: ${why}.`, { url: res.url });
}

/** fetchChunks with the redirect check on every response. */
export function legacyChunks(
  url: string,
  limits: FetchLimits,
  init: { maxBytes: number; headers?: Record<string, string> },
): AsyncGenerator<Uint8Array> {
  return fetchChunks(url, limits, { ...init, onResponse: refuseInsecureRedirect });
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
