// Root rotation (DESIGN §3, TUF §5.3): a client follows `<n+1>.root.json` only when the root it trusts signed it
// (and the new root's own keys did too). Real roots signed with the tools' keys, a real registry on 127.0.0.1, a
// real home; every refusal leaves the home byte-identical and no temp files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metadata, Root } from '@tufjs/models';
import { WharfClient } from '@wharf/client';
import {
  addDays,
  buildRoot,
  generateRoleKey,
  generateRoleKeys,
  loadRoleKeys,
  type RoleKey,
  type RoleKeys,
  signerFor,
  writeRootMetadata,
} from '@wharf/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/demo.js';
import { type FaultServer, startFaultServer } from '../helpers/fault-server.js';
import { refreshOrThrow } from '../helpers/refresh-or-throw.js';
import { createLab, type ReleaseLab } from '../helpers/release-lab.js';
import { expectRefusal } from '../helpers/snapshot-dir.js';

let lab: ReleaseLab;
let served: FaultServer;
let keys: RoleKeys;

/** A root of `version` with `replace` swapped in for the lab's keys, signed by each of `signers`. */
function root(version: number, signers: RoleKey[], replace: Partial<RoleKeys> = {}): Metadata<Root> {
  const md = buildRoot({ ...keys, ...replace }, { version, expires: addDays(new Date(), 365) });
  // buildRoot signs with the (new) root key; drop that so the test says exactly who signed.
  md.signatures = {};
  for (const k of signers) md.sign(signerFor(k));
  return md;
}

const bytesOf = (md: Metadata<Root>) => Buffer.from(JSON.stringify(md.toJSON()));

const trustedRoot = (home: string) =>
  JSON.parse(readFileSync(join(home, 'trust', 'lab', 'metadata', 'root.json'), 'utf8')) as {
    signed: { version: number; roles: { root: { keyids: string[] } } };
  };

/** A home trusting the lab's 1.root.json, reading the lab through a fault server (which can swap one file). */
async function homeOnServed(): Promise<WharfClient> {
  const c = new WharfClient({ home: join(tempDir('rot'), 'home') });
  await c.addSource({ alias: 'lab', url: served.url, rootSha256: lab.rootSha256 });
  await refreshOrThrow(c);
  return c;
}

beforeAll(async () => {
  lab = await createLab();
  await lab.add({ id: 'tick', version: '1.0.0' });
  await lab.publish();
  keys = (await loadRoleKeys(lab.keysDir)) as RoleKeys;
  served = await startFaultServer(lab.registryDir);
});
afterAll(async () => {
  await served?.close();
  await lab?.close();
});

describe('root rotation', () => {
  it('refuses a new root that the trusted root did not sign', async () => {
    const c = await homeOnServed();
    const attacker = generateRoleKeys();
    served.override('/metadata/2.root.json', bytesOf(root(2, [attacker.root], attacker)));
    try {
      await expectRefusal(c.home.root, 'E_INDEX_SIGNATURE', () => refreshOrThrow(c));
      expect(trustedRoot(c.home.root).signed.version).toBe(1);
    } finally {
      served.override('/metadata/2.root.json', undefined);
    }
  });

  it('refuses a new root signed by the old root key but not by its own new key', async () => {
    const c = await homeOnServed();
    const next = generateRoleKey('root');
    served.override('/metadata/2.root.json', bytesOf(root(2, [keys.root], { root: next })));
    try {
      await expectRefusal(c.home.root, 'E_INDEX_SIGNATURE', () => refreshOrThrow(c));
      expect(trustedRoot(c.home.root).signed.version).toBe(1);
    } finally {
      served.override('/metadata/2.root.json', undefined);
    }
  });

  it('follows a new root signed by the old root and itself, then trusts only the new root key', async () => {
    const c = await lab.client();
    expect(trustedRoot(c.home.root).signed.version).toBe(1);
    const next = generateRoleKey('root');
    await writeRootMetadata(lab.registryDir, root(2, [keys.root, next], { root: next }));
    await refreshOrThrow(c);
    const trusted = trustedRoot(c.home.root);
    expect(trusted.signed.version).toBe(2);
    expect(trusted.signed.roles.root.keyids).toEqual([next.key.keyID]);
    // The index signed under the old root's role keys still verifies, and installs work.
    expect((await c.install('tick')).version).toBe('1.0.0');

    // A v3 signed only by the key v2 retired is refused: the client really moved its trust to the new key.
    const fresh = await homeOnServed(); // follows v1 → v2 from the lab dir
    expect(trustedRoot(fresh.home.root).signed.version).toBe(2);
    served.override('/metadata/3.root.json', bytesOf(root(3, [keys.root], { root: next })));
    try {
      await expectRefusal(fresh.home.root, 'E_INDEX_SIGNATURE', () => refreshOrThrow(fresh));
      expect(trustedRoot(fresh.home.root).signed.version).toBe(2);
    } finally {
      served.override('/metadata/3.root.json', undefined);
    }
  });
});
