// DESIGN §3: the lockfile records each plugin's minisign keyid, and a release signed by another key is refused
// (E_KEY_CHANGED) unless the index retired the old key, which the maintainers do only on a rotation statement
// signed by it. Here a signed index lists a release under a new key with the old one still active: what a
// registry that skipped the proof (or an attacker holding only the index keys) would serve.
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSecretKey, parsePublicKey, validateLockfile, type WharfClient, writeKeyPair } from '@wharf/client';
import { readRegistry } from '@wharf/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretKeyFromSeed } from '../../client/src/signing/minisign-format.js';
import { EXAMPLES, runCli, tempDir, WHARF } from '../helpers/demo.js';
import { createLab, type ReleaseLab } from '../helpers/release-lab.js';
import { expectRefusal, userState } from '../helpers/snapshot-dir.js';

const EXAMPLE_KEYID = '7bfeecaf241cef69';
const EXAMPLE_KEY = readFileSync(join(EXAMPLES, 'keys', 'example.pub'), 'utf8')
  .split('\n')[1]
  ?.trim();

describe('a release signed by a new key without a rotation', () => {
  let lab: ReleaseLab;
  let other: ReleaseLab;
  let newKeyid = '';
  beforeAll(async () => {
    lab = await createLab();
    await lab.add({ id: 'tick', version: '1.0.0' });
    await lab.publish();
    // tick@1.1.0 signed by a fresh key: made in a registry of its own (where it is the pinned key), then its
    // release and key copied into the lab's index beside the old, still active, key.
    other = await createLab();
    const key = writeKeyPair(tempDir('newkey'), { name: 'new' });
    newKeyid = key.keyid;
    const pub = readFileSync(key.publicKeyPath, 'utf8').split('\n')[1]?.trim() ?? '';
    await other.add({ id: 'tick', version: '1.1.0', key: { secretKeyPath: key.secretKeyPath, publicKey: pub } });
    const { registry: o } = await readRegistry(other.registryDir);
    const signed = o.plugins.find((p) => p.plugin_id === 'tick');
    await lab.edit((reg) => {
      const p = reg.plugins.find((x) => x.plugin_id === 'tick');
      const rel = signed?.releases[0];
      const k = signed?.keys[0];
      if (!p || !rel || !k) throw new Error('lab setup');
      p.keys.push(k);
      p.releases.push(rel);
      p.versions = { ...p.versions, latest: '1.1.0', stable: '1.1.0' };
    });
    await lab.publish();
  });
  afterAll(async () => {
    await other?.close();
    await lab?.close();
  });

  /** A home with tick@1.0.0 installed before the new release was published (the lockfile names the old key). */
  async function installedOld(): Promise<WharfClient> {
    const c = await lab.client();
    await c.install('tick@1.0.0');
    expect(c.list()[0]).toMatchObject({ id: 'tick', version: '1.0.0', keyid: EXAMPLE_KEYID, public_key: EXAMPLE_KEY });
    // What the client writes is a valid lockfile by the published schema.
    expect(validateLockfile(JSON.parse(readFileSync(c.home.lockfile, 'utf8'))).ok).toBe(true);
    return c;
  }

  it('update and install refuse it (E_KEY_CHANGED), naming both keys, and change nothing', async () => {
    const c = await installedOld();
    expect((await c.outdated())[0]).toMatchObject({ id: 'tick', latest: '1.1.0' });
    const err = await expectRefusal(c.home.root, 'E_KEY_CHANGED', () => c.update());
    expect(err.message).toContain(EXAMPLE_KEYID);
    expect(err.message).toContain(newKeyid);
    await expectRefusal(c.home.root, 'E_KEY_CHANGED', () => c.install('tick@1.1.0'));
    expect(c.list()[0]).toMatchObject({ version: '1.0.0', keyid: EXAMPLE_KEYID });
  });

  it('the CLI refuses too, even with --yes', async () => {
    const c = await installedOld();
    const before = userState(c.home.root);
    const r = await runCli(WHARF, ['--home', c.home.root, '--yes', 'update']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_KEY_CHANGED');
    expect(userState(c.home.root)).toEqual(before);
  });

  it('once the index retires the old key (the approved rotation), the same update goes through', async () => {
    const c = await installedOld();
    await lab.edit((reg) => {
      const old = reg.plugins.find((x) => x.plugin_id === 'tick')?.keys.find((k) => k.keyid === EXAMPLE_KEYID);
      if (old) old.status = 'retired';
    });
    await lab.publish();
    await c.refresh();
    const r = await c.update();
    expect(r.updated[0]).toMatchObject({ id: 'tick', previous: '1.0.0', version: '1.1.0' });
    expect(c.list()[0]).toMatchObject({ version: '1.1.0', keyid: newKeyid });
    expect(await c.verify()).toEqual([{ id: 'tick', ok: true }]);
  });
});

describe('a new key that reuses the old keyid', () => {
  // A minisign keyid is 8 bytes the key's maker picks, not a hash of the key: whoever can sign the index can
  // list a key of their own under the author's keyid. The lockfile's keyid alone can't tell the two apart.
  let lab: ReleaseLab;
  let forgedPub = '';
  beforeAll(async () => {
    lab = await createLab();
    await lab.add({ id: 'tick', version: '1.0.0' });
    await lab.publish();
    const author = parsePublicKey(readFileSync(join(EXAMPLES, 'keys', 'example.pub'), 'utf8'));
    const forged = secretKeyFromSeed(author.keyIdBytes, randomBytes(32));
    expect(forged.keyid).toBe(EXAMPLE_KEYID);
    const dir = tempDir('forged');
    writeFileSync(join(dir, 'forged.key'), formatSecretKey(forged), { mode: 0o600 });
    forgedPub = forged.publicKey.base64;
    // Signed in a registry of its own (tick is new there), then swapped into the lab's index: same keyid, other key.
    const other = await createLab();
    try {
      await other.add({
        id: 'tick',
        version: '1.1.0',
        urlBase: `${lab.server.url}/artifacts`,
        key: { secretKeyPath: join(dir, 'forged.key'), publicKey: forgedPub },
      });
      const signed = (await readRegistry(other.registryDir)).registry.plugins.find((p) => p.plugin_id === 'tick');
      cpSync(join(other.artifacts, 'tick-1.1.0'), join(lab.artifacts, 'tick-1.1.0'), { recursive: true });
      await lab.edit((reg) => {
        const p = reg.plugins.find((x) => x.plugin_id === 'tick');
        const rel = signed?.releases[0];
        if (!p || !rel) throw new Error('lab setup');
        p.keys = p.keys.map((k) => (k.keyid === EXAMPLE_KEYID ? { ...k, public_key: forgedPub } : k));
        p.releases.push(rel);
        p.versions = { ...p.versions, latest: '1.1.0', stable: '1.1.0' };
      });
    } finally {
      await other.close();
    }
  });
  afterAll(async () => lab?.close());

  it('update refuses it (E_KEY_CHANGED) although the keyid matches, and changes nothing', async () => {
    const c = await lab.client();
    await c.install('tick@1.0.0');
    await lab.publish();
    await c.refresh();
    await expectRefusal(c.home.root, 'E_KEY_CHANGED', () => c.update());
    expect(c.list()[0]).toMatchObject({ version: '1.0.0', keyid: EXAMPLE_KEYID });
  });
});
