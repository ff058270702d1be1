import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { WharfError } from '@wharf/schemas';
import { canonicalize } from './canonical-json.js';
import { Key, Signature } from './models.js';

export const TUF_ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;
export type TufRole = (typeof TUF_ROLES)[number];

/** One role's ed25519 key: the public half as tuf-js wants it, the private half for signing. */
export interface RoleKey {
  /** `bins`: the key the top-level targets delegates the hashed bins to (sharded layout). */
  role: TufRole | 'bins';
  key: Key;
  privateKey: KeyObject;
}

export type RoleKeys = Record<TufRole, RoleKey>;

/**
 * Private keys live beside the registry, never inside it: `<parent>/<basename>.keys/` for `<parent>/<basename>`.
 * Anything under the registry dir gets committed and served.
 */
export function defaultKeysDir(registryDir: string): string {
  const abs = resolve(registryDir);
  return join(dirname(abs), `${basename(abs)}.keys`);
}

/** keyid = sha256 of the canonical JSON of the public key object (TUF spec §4.2), as tuf-js expects. */
export function tufKeyFromPublic(publicKey: KeyObject): Key {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string')
    throw new WharfError('E_USAGE', 'only ed25519 keys are supported');
  const hex = Buffer.from(jwk.x, 'base64url').toString('hex');
  const body = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: hex } };
  const keyID = createHash('sha256').update(canonicalize(body)).digest('hex');
  return new Key({ keyID, keyType: body.keytype, scheme: body.scheme, keyVal: body.keyval });
}

export function generateRoleKey(role: TufRole | 'bins'): RoleKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { role, key: tufKeyFromPublic(publicKey), privateKey };
}

export function generateRoleKeys(): RoleKeys {
  return {
    root: generateRoleKey('root'),
    targets: generateRoleKey('targets'),
    snapshot: generateRoleKey('snapshot'),
    timestamp: generateRoleKey('timestamp'),
  };
}

/** The signer `Metadata.sign` calls with the canonical bytes of `signed`; TUF ed25519 signatures are hex. */
export function signerFor(roleKey: RoleKey): (data: Buffer) => Signature {
  return (data) =>
    new Signature({ keyID: roleKey.key.keyID, sig: sign(null, data, roleKey.privateKey).toString('hex') });
}

function privatePath(keysDir: string, role: TufRole | 'bins'): string {
  return join(keysDir, `${role}.pem`);
}

function publicPath(keysDir: string, role: TufRole | 'bins'): string {
  return join(keysDir, `${role}.pub.json`);
}

/** Writes `<role>.pem` (PKCS#8, mode 0600) and `<role>.pub.json` (the TUF key with its keyid). Never overwrites. */
export async function saveRoleKeys(keysDir: string, keys: RoleKeys | { bins: RoleKey }): Promise<string[]> {
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const rk of Object.values(keys) as RoleKey[]) {
    const role = rk.role;
    const pem = rk.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const p = privatePath(keysDir, role);
    try {
      // 'wx': a second `registry init` pointed at the same keys dir must not clobber keys a live root trusts.
      await writeFile(p, pem, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new WharfError('E_IO', `refusing to overwrite existing key ${p}`, { path: p });
      }
      throw e;
    }
    await chmod(p, 0o600); // the umask may have narrowed it already, never widened; make it exact
    const pub = { keyid: rk.key.keyID, ...rk.key.toJSON() };
    await writeFile(publicPath(keysDir, role), `${JSON.stringify(pub, null, 2)}\n`, { flag: 'wx' });
    written.push(p);
  }
  return written;
}

export async function loadRoleKey(keysDir: string, role: TufRole | 'bins'): Promise<RoleKey> {
  const p = privatePath(keysDir, role);
  let pem: string;
  try {
    pem = await readFile(p, 'utf8');
  } catch (e) {
    throw new WharfError('E_IO', `cannot read the ${role} key ${p}: ${(e as Error).message}`, { path: p });
  }
  const privateKey = createPrivateKey(pem);
  return { role, key: tufKeyFromPublic(createPublicKey(privateKey)), privateKey };
}

export async function loadRoleKeys(keysDir: string, roles: readonly TufRole[] = TUF_ROLES): Promise<Partial<RoleKeys>> {
  const out: Partial<RoleKeys> = {};
  for (const role of roles) out[role] = await loadRoleKey(keysDir, role);
  return out;
}
