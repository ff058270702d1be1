import { parsePublicKey, verifyBytes } from '@wharf/client';
import { checkId, type Registry, WharfError } from '@wharf/schemas';

export type RotationReason = 'routine' | 'lost' | 'compromised';

const STATEMENT_RE = /^wharf-rotate id=(\S+) new_keyid=([0-9a-f]{16}) new_key=(RW[A-Za-z0-9+/=]+)$/;

export function rotationStatement(id: string, newKey: string): string {
  const pk = parsePublicKey(newKey);
  return `wharf-rotate id=${id} new_keyid=${pk.keyid} new_key=${pk.base64}`;
}

/**
 * Applies a key-rotation statement (DESIGN §3): `wharf-rotate id=<id> new_keyid=<hex> new_key=<RW…>`, signed by the
 * plugin's active (old) key with the statement itself as the trusted comment, so the signature can't be reused for
 * another plugin or key. The old key becomes `retired` (or `revoked` when the reason is `compromised`), the new one
 * `active`. A lost key can't sign a statement: that case is a maintainer decision, not this function. Pure.
 */
export function rotateKey(
  registry: Registry,
  input: { statement: string; minisig: string; reason?: RotationReason; now?: Date },
): Registry {
  const statement = input.statement.trim();
  const m = STATEMENT_RE.exec(statement);
  if (!m)
    throw new WharfError('E_SCHEMA', 'the statement must be "wharf-rotate id=<id> new_keyid=<16 hex> new_key=<RW…>"');
  const [, id, newKeyid, newKey] = m as unknown as [string, string, string, string];
  checkId(id);
  const plugin = registry.plugins.find((p) => p.plugin_id === id);
  if (!plugin) throw new WharfError('E_NOT_FOUND', `${id} is not in this registry.`);
  const active = plugin.keys.find((k) => k.status === 'active');
  if (!active) throw new WharfError('E_KEY_CHANGED', `${id} has no active key to rotate from.`);
  const pk = parsePublicKey(newKey);
  if (pk.keyid !== newKeyid)
    throw new WharfError('E_SIG_BINDING', `new_keyid ${newKeyid} is not the id of new_key (${pk.keyid}).`);
  if (pk.keyid === active.keyid) throw new WharfError('E_SCHEMA', 'the new key is the key already active.');
  const sig = verifyBytes(new TextEncoder().encode(statement), input.minisig, parsePublicKey(active.public_key));
  if (sig.trustedComment !== statement)
    throw new WharfError('E_SIG_BINDING', "the signature's trusted comment must be the statement itself.");
  const now = (input.now ?? new Date()).toISOString();
  const keys = plugin.keys.map((k) =>
    k === active ? { ...k, status: input.reason === 'compromised' ? ('revoked' as const) : ('retired' as const) } : k,
  );
  keys.push({ keyid: pk.keyid, public_key: pk.base64, status: 'active', since: now });
  return {
    ...registry,
    last_updated: now,
    plugins: registry.plugins.map((p) => (p === plugin ? { ...p, keys, updated_at: now } : p)),
  };
}
