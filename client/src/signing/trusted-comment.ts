import { WharfError } from '@wharf/schemas';
import type { Signature } from './minisign-format.js';

/** What a Wharf signature is bound to (DESIGN §3): without it a valid signature could be moved to another plugin or version. */
export interface SignatureBinding {
  id: string;
  version: string;
  sha256: string;
}

// Fields are space-separated, so neither id nor version may contain whitespace or '='-confusion beyond the value.
const TRUSTED_COMMENT_RE = /^wharf1 id=(\S+) version=(\S+) sha256=([0-9a-f]{64})$/;

// What `minisign -S` writes without -t: "timestamp:<unix>\tfile:<name>", plus "\thashed" for prehashed signatures.
const MINISIGN_DEFAULT_COMMENT = /^timestamp:\d+\s+file:/;

export function formatTrustedComment(b: SignatureBinding): string {
  const sha256 = b.sha256.toLowerCase();
  if (!/^\S+$/.test(b.id) || !/^\S+$/.test(b.version) || !/^[0-9a-f]{64}$/.test(sha256)) {
    throw new WharfError(
      'E_USAGE',
      'a signature binding needs an id and version without whitespace and a 64-digit hex sha256',
    );
  }
  return `wharf1 id=${b.id} version=${b.version} sha256=${sha256}`;
}

export function parseTrustedComment(tc: string): SignatureBinding | undefined {
  const m = TRUSTED_COMMENT_RE.exec(tc);
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) return undefined;
  return { id: m[1], version: m[2], sha256: m[3] };
}

/** Throws E_SIG_BINDING unless the (already verified) signature's trusted comment names exactly this artifact. */
export function checkBinding(sig: Signature, expected: SignatureBinding): void {
  const got = parseTrustedComment(sig.trustedComment);
  if (!got && MINISIGN_DEFAULT_COMMENT.test(sig.trustedComment)) {
    throw new WharfError(
      'E_SIG_BINDING',
      `the signature's trusted comment is minisign's default (${JSON.stringify(sig.trustedComment)}), not a Wharf binding: sign with \`wharf sign <wasm> --id <id> --version <v>\`, or with \`minisign -S -t "wharf1 id=<id> version=<v> sha256=<sha256 of the file>"\``,
      { trustedComment: sig.trustedComment },
    );
  }
  if (!got) {
    throw new WharfError(
      'E_SIG_BINDING',
      `the signature's trusted comment is not a Wharf binding ("wharf1 id=… version=… sha256=…"): ${JSON.stringify(sig.trustedComment)}`,
      { trustedComment: sig.trustedComment },
    );
  }
  const want = { id: expected.id, version: expected.version, sha256: expected.sha256.toLowerCase() };
  const diffs = (['id', 'version', 'sha256'] as const)
    .filter((k) => got[k] !== want[k])
    .map((k) => `${k} is ${got[k]} in the signature but ${want[k]} was expected`);
  if (diffs.length > 0) {
    throw new WharfError('E_SIG_BINDING', `the signature is for a different artifact: ${diffs.join('; ')}`, {
      signed: got,
      expected: want,
    });
  }
}
