import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, parseSecretKey, signBytes } from '@wharf/client';
import { validateRegistry } from '@wharf/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateKey, rotationStatement } from '../../src/publish-bot/key-rotation.js';
import { addReleaseFromFiles } from '../../src/registry/add-release.js';
import { initRegistry } from '../../src/registry/init.js';
import { readRegistry } from '../../src/registry/store.js';
import { runMain } from '../fixtures.js';
import { EXAMPLES } from './market-fixture.js';

describe('key rotation (statement signed by the old key)', () => {
  let dir: string;
  let reg: string;
  const oldKey = parseSecretKey(readFileSync(join(EXAMPLES, 'keys', 'example.key'), 'utf8'));
  const newKey = generateKeyPair();
  const statement = rotationStatement('count-vowels', newKey.publicKey.base64);
  const enc = (s: string) => new TextEncoder().encode(s);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wharf-rotate-'));
    reg = join(dir, 'registry');
    await initRegistry(reg, { keysDir: join(dir, 'keys') });
    await addReleaseFromFiles(reg, {
      manifestPath: join(EXAMPLES, 'count-vowels', 'plugin.json'),
      wasmPath: join(EXAMPLES, 'count-vowels', 'plugin.wasm'),
      sigPath: join(EXAMPLES, 'count-vowels', 'plugin.wasm.minisig'),
      urls: ['https://example.com/plugin.wasm'],
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('retires the old key and activates the new one', async () => {
    const { registry } = await readRegistry(reg);
    const next = rotateKey(registry, { statement, minisig: signBytes(enc(statement), oldKey, statement) });
    const keys = next.plugins[0]?.keys ?? [];
    expect(keys.map((k) => [k.keyid, k.status])).toEqual([
      [oldKey.keyid, 'retired'],
      [newKey.keyid, 'active'],
    ]);
    expect(validateRegistry(next).ok).toBe(true);
    const revoked = rotateKey(registry, {
      statement,
      minisig: signBytes(enc(statement), oldKey, statement),
      reason: 'compromised',
    });
    expect(revoked.plugins[0]?.keys[0]?.status).toBe('revoked');
  });

  it('refuses a statement signed by anyone but the old key, or with another trusted comment', async () => {
    const { registry } = await readRegistry(reg);
    expect(() => rotateKey(registry, { statement, minisig: signBytes(enc(statement), newKey, statement) })).toThrow(
      expect.objectContaining({ code: 'E_SIG_INVALID' }),
    );
    expect(() =>
      rotateKey(registry, { statement, minisig: signBytes(enc(statement), oldKey, 'wharf1 id=x version=1 sha256=0') }),
    ).toThrow(expect.objectContaining({ code: 'E_SIG_BINDING' }));
  });

  it('through wharf-admin rotate-key; a refusal leaves registry.json byte-identical', async () => {
    const before = readFileSync(join(reg, 'registry.json'));
    writeFileSync(join(dir, 'statement.txt'), statement);
    writeFileSync(join(dir, 'bad.minisig'), signBytes(enc(statement), newKey, statement));
    const args = ['rotate-key', '--statement', join(dir, 'statement.txt'), '--registry', reg];
    expect((await runMain([...args, '--sig', join(dir, 'bad.minisig')])).code).toBe(1);
    expect(readFileSync(join(reg, 'registry.json'))).toEqual(before);
    writeFileSync(join(dir, 'good.minisig'), signBytes(enc(statement), oldKey, statement));
    expect((await runMain([...args, '--sig', join(dir, 'good.minisig')])).code).toBe(0);
    expect((await readRegistry(reg)).registry.plugins[0]?.keys.find((k) => k.status === 'active')?.keyid).toBe(
      newKey.keyid,
    );
  });
});
