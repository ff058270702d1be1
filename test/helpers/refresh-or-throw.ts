import { type ErrorCode, type MirrorFailure, type WharfClient, WharfError } from '@wharf/client';

/** refresh() reports a failed source instead of throwing; a refusal test (expectRefusal) wants the throw. */
export async function refreshOrThrow(c: WharfClient): Promise<void> {
  const r = await c.refresh();
  const f = r.failed[0];
  if (f) throw new WharfError(f.code as ErrorCode, f.message, { mirrors: f.mirrors as MirrorFailure[] });
}
