// A registry.json that JSON.parse would read with the last of two equal keys winning is refused by the client even
// when it is properly signed (a publisher without the signing gate, or one that predates it), and by that gate.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WharfClient } from '@wharf/client';
import {
  addDays,
  defaultKeysDir,
  loadRoleKey,
  publishRegistry,
  readMetadataState,
  writeSnapshotMetadata,
  writeTargetsMetadata,
  writeTimestampMetadata,
} from '@wharf/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type ReleaseLab } from './helpers/release-lab.js';
import { snapshotDir, tempLeftovers, userState } from './helpers/snapshot-dir.js';

/** Signs `bytes` as the next index with the lab's real keys, bypassing publishRegistry's checks. */
async function signRaw(lab: ReleaseLab, bytes: Buffer): Promise<void> {
  const keysDir = defaultKeysDir(lab.registryDir);
  const state = await readMetadataState(lab.registryDir);
  const expires = addDays(new Date(), 7);
  const targets = await writeTargetsMetadata(lab.registryDir, await loadRoleKey(keysDir, 'targets'), {
    version: state.targetsVersion + 1,
    expires,
    registryBytes: bytes,
  });
  const snapshot = await writeSnapshotMetadata(lab.registryDir, await loadRoleKey(keysDir, 'snapshot'), {
    version: state.snapshotVersion + 1,
    expires,
    targets,
  });
  await writeTimestampMetadata(lab.registryDir, await loadRoleKey(keysDir, 'timestamp'), {
    version: state.timestampVersion + 1,
    expires,
    snapshot,
  });
}

describe('duplicate keys in a signed registry.json', () => {
  let lab: ReleaseLab;
  let c: WharfClient;
  let dup: Buffer;
  beforeAll(async () => {
    lab = await createLab();
    await lab.add({ id: 'good', version: '1.0.0' });
    await lab.publish();
    c = await lab.client();
    const text = readFileSync(join(lab.registryDir, 'registry.json'), 'utf8');
    // A second "plugin_id" inside the entry: JSON.parse reads "evil", a reviewer reading the file sees "good".
    dup = Buffer.from(text.replace(/"plugin_id": "good",/, '"plugin_id": "good",\n      "plugin_id": "evil",'));
    expect(dup.toString()).toContain('"plugin_id": "evil"');
    expect(JSON.parse(dup.toString()).plugins[0].plugin_id).toBe('evil');
  });
  afterAll(async () => lab?.close());

  it('publish refuses to sign it (E_SCHEMA) and leaves the registry dir as it was', async () => {
    const { writeFileSync } = await import('node:fs');
    const original = readFileSync(join(lab.registryDir, 'registry.json'));
    writeFileSync(join(lab.registryDir, 'registry.json'), dup);
    try {
      const before = snapshotDir(lab.registryDir);
      await expect(
        publishRegistry(lab.registryDir, { keysDir: defaultKeysDir(lab.registryDir) }),
      ).rejects.toMatchObject({ code: 'E_SCHEMA', message: expect.stringMatching(/"plugin_id" twice/) });
      expect(snapshotDir(lab.registryDir)).toEqual(before);
      expect(tempLeftovers(lab.registryDir)).toEqual([]);
    } finally {
      writeFileSync(join(lab.registryDir, 'registry.json'), original);
    }
  });

  it('the client refuses it when signed anyway: the mirror fails with E_SCHEMA, the home is unchanged', async () => {
    await signRaw(lab, dup);
    const before = userState(c.home.root);
    const report = await c.refresh();
    expect(report.refreshed).toEqual([]);
    expect(report.failed).toEqual([
      expect.objectContaining({
        alias: 'lab',
        code: 'E_ALL_MIRRORS_FAILED',
        mirrors: [expect.objectContaining({ reason: 'error', message: expect.stringMatching(/"plugin_id" twice/) })],
      }),
    ]);
    expect(userState(c.home.root)).toEqual(before);
    expect(tempLeftovers(c.home.root)).toEqual([]);
    // The last verified index is still the one in use.
    expect((await c.search('good')).map((h) => h.plugin_id)).toEqual(['good']);
  });
});
