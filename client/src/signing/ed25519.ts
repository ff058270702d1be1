import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

// Node takes raw Ed25519 keys only wrapped in DER; these are the fixed RFC 8410 prefixes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function publicKeyFromRaw(pk: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pk]), format: 'der', type: 'spki' });
}

/** The 32-byte public key belonging to a 32-byte seed. */
export function publicFromSeed(seed: Uint8Array): Uint8Array {
  const der = createPublicKey(privateKeyFromSeed(seed)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(SPKI_PREFIX.length));
}

export function edSign(message: Uint8Array, seed: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKeyFromSeed(seed)));
}

export function edVerify(message: Uint8Array, signature: Uint8Array, pk: Uint8Array): boolean {
  try {
    return verify(null, message, publicKeyFromRaw(pk), signature);
  } catch {
    // A malformed point or wrong-length signature is simply "not valid".
    return false;
  }
}
