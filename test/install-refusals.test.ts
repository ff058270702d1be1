import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signFile, type WharfClient, type WharfError } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES } from './helpers/demo.js';
import { createLab, type ReleaseLab } from './helpers/release-lab.js';
import { expectRefusal, tempLeftovers, userState } from './helpers/snapshot-dir.js';

// DESIGN §8 "Install" threats: each refusal has its code, leaves the user's state byte-identical and no temps.
describe('install refusals', () => {
  let lab: ReleaseLab;
  let c: WharfClient;
  const release = (reg: Parameters<Parameters<ReleaseLab['edit']>[0]>[0], id: string) =>
    reg.plugins.find((p) => p.plugin_id === id)?.releases[0] as NonNullable<(typeof reg.plugins)[0]['releases'][0]>;

  beforeAll(async () => {
    lab = await createLab();
    for (const id of ['good', 'flipped', 'bound', 'comment', 'stranger']) await lab.add({ id, version: '1.0.0' });
    await lab.publish();
    // Attacks on what the mirror serves, after the maintainers signed the index.
    const art = (id: string) => join(lab.artifacts, `${id}-1.0.0`, 'plugin.wasm');
    const bytes = readFileSync(art('flipped'));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    writeFileSync(art('flipped'), bytes);
    // Index-side attacks, re-signed by the registry (a compromised author key or a sloppy review).
    const moved = signFile(art('bound'), {
      id: 'good',
      version: '1.0.0',
      secretKeyPath: join(EXAMPLES, 'keys', 'example.key'),
      out: join(lab.root, 'moved.minisig'),
    });
    await lab.edit((reg) => {
      release(reg, 'bound').minisig = readFileSync(moved.sigPath, 'utf8');
      const r = release(reg, 'comment');
      r.minisig = r.minisig.replace('trusted comment: wharf1 id=comment', 'trusted comment: wharf1  id=comment');
      // The registry lists the key but revoked it: the client must not accept its signatures.
      const stranger = reg.plugins.find((p) => p.plugin_id === 'stranger');
      for (const k of stranger?.keys ?? []) k.status = 'revoked';
    });
    await lab.publish();
    c = await lab.client();
    await c.install('good');
  });
  afterAll(async () => lab?.close());

  async function refused(spec: string, code: string): Promise<WharfError> {
    const err = await expectRefusal(c.home.root, code, () => c.install(spec));
    expect(await c.verify()).toEqual([{ id: 'good', ok: true }]);
    return err;
  }

  it('a flipped byte in the artifact: E_ARTIFACT_HASH', async () => {
    const e = await refused('flipped', 'E_ARTIFACT_HASH');
    expect(e.message).toMatch(/sha256/);
  });
  it('a valid signature bound to another plugin: E_SIG_BINDING', () => refused('bound', 'E_SIG_BINDING'));
  it('an edited trusted comment: E_SIG_INVALID', () => refused('comment', 'E_SIG_INVALID'));
  it('a key the index revoked: E_SIG_INVALID', () => refused('stranger', 'E_SIG_INVALID'));
  it('a bad signature is refused before any download: the artifact gone from the mirror, it is still E_SIG_INVALID', async () => {
    const art = join(lab.artifacts, 'comment-1.0.0', 'plugin.wasm');
    const bytes = readFileSync(art);
    rmSync(art);
    try {
      await refused('comment', 'E_SIG_INVALID');
    } finally {
      writeFileSync(art, bytes);
    }
  });
  it('ids that are paths or prototype names: E_ID_INVALID', async () => {
    for (const id of ['../x', '..', 'a/b', '__proto__', '--upload-pack=x']) await refused(id, 'E_ID_INVALID');
    // A valid id that names an Object.prototype member is just not found: lookups use Maps.
    await refused('constructor@1', 'E_NOT_FOUND');
  });
});

describe('index refusals', () => {
  it('a tampered registry.json on the server: E_INDEX_HASH, and the verified cache and trust stay as they were', async () => {
    const lab = await createLab();
    try {
      await lab.add({ id: 'one', version: '1.0.0' });
      await lab.publish();
      const c = await lab.client();
      await c.install('one');
      await lab.add({ id: 'two', version: '1.0.0' });
      await lab.publish();
      const targets = join(lab.registryDir, 'targets');
      const newest = readdirSync(targets)
        .filter((f) => f.endsWith('.registry.json'))
        .map((f) => ({ f, t: statSync(join(targets, f)).mtimeMs }))
        .sort((a, b) => b.t - a.t)[0]?.f as string;
      const p = join(targets, newest);
      writeFileSync(p, readFileSync(p, 'utf8').replace('"two"', '"twO"'));
      const before = userState(c.home.root);
      const r = await c.refresh();
      expect(r.failed[0]?.code).toBe('E_INDEX_HASH');
      expect(userState(c.home.root)).toEqual(before);
      expect(tempLeftovers(c.home.root)).toEqual([]);
      expect((await c.search('two')).map((h) => h.plugin_id)).not.toContain('two');
      expect(await c.verify()).toEqual([{ id: 'one', ok: true }]);
    } finally {
      await lab.close();
    }
  });
});
