// A mirror that answers 404 to everything (a deleted repo, a wrong path, a CDN that lost the files): alone it
// refuses with each reason and changes nothing; beside a good mirror it is skipped, for the index, for the
// artifact, and for a root rotation only the good mirror has. Real servers on 127.0.0.1, real signed metadata.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WharfClient } from '@wharf/client';
import {
  addDays,
  buildRoot,
  generateRoleKey,
  loadRoleKeys,
  type RoleKeys,
  resignTimestamp,
  saveRoleKeys,
  writeRootMetadata,
} from '@wharf/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/demo.js';
import { type FaultServer, startFaultServer } from '../helpers/fault-server.js';
import { refreshOrThrow } from '../helpers/refresh-or-throw.js';
import { createLab, type ReleaseLab } from '../helpers/release-lab.js';
import { expectRefusal } from '../helpers/snapshot-dir.js';

let lab: ReleaseLab;
let gone: FaultServer;

async function home(mirrors: string[], registry = lab): Promise<WharfClient> {
  const c = new WharfClient({ home: join(tempDir('404'), 'home') });
  await c.addSource({
    alias: 'lab',
    url: mirrors[0] as string,
    mirrors: mirrors.slice(1),
    rootSha256: registry.rootSha256,
  });
  return c;
}

beforeAll(async () => {
  lab = await createLab();
  gone = await startFaultServer(lab.registryDir, { fault: '404', mounts: { '/artifacts/': lab.artifacts } });
  await lab.add({ id: 'tick', version: '1.0.0' });
  await lab.add({ id: 'tock', version: '1.0.0', urlBases: [`${gone.url}/artifacts`, `${lab.server.url}/artifacts`] });
  await lab.add({ id: 'lost', version: '1.0.0', urlBase: `${gone.url}/artifacts` });
  await lab.publish();
});
afterAll(async () => {
  await gone?.close();
  await lab?.close();
});

describe('a 404 mirror', () => {
  it('alone: the refresh refuses with its reason and changes nothing', async () => {
    // The root comes from a file here: a 404 mirror can't serve 1.root.json either (that refusal is tested below).
    const c = new WharfClient({ home: join(tempDir('404'), 'home') });
    await c.addSource({
      alias: 'lab',
      url: gone.url,
      rootFile: join(lab.registryDir, 'metadata', '1.root.json'),
    });
    const err = await expectRefusal(c.home.root, 'E_ALL_MIRRORS_FAILED', () => refreshOrThrow(c));
    expect(err.details?.mirrors).toEqual([expect.objectContaining({ mirror: gone.url, reason: 'http 4xx' })]);
  });

  it('alone at source add: no root is fetched, nothing is stored', async () => {
    const root = tempDir('404-add');
    const c = new WharfClient({ home: join(root, 'home') });
    await expectRefusal(c.home.root, 'E_ROOT_FINGERPRINT', () =>
      c.addSource({ alias: 'lab', url: gone.url, rootSha256: lab.rootSha256 }),
    );
    expect(c.sources().sources).toEqual([]);
  });

  it('first, beside a good mirror: the index comes from the good one', async () => {
    const c = await home([gone.url, lab.server.url]);
    const r = await c.refresh();
    expect(r.failed).toEqual([]);
    expect(r.refreshed[0]?.mirror).toBe(lab.server.url);
    expect((await c.install('tick')).version).toBe('1.0.0');
  });

  it('as the first artifact URL: the next URL serves the pinned bytes; as the only one: refused, nothing kept', async () => {
    const c = await home([lab.server.url]);
    await refreshOrThrow(c);
    const r = await c.install('tock');
    expect(r.url).toBe(`${lab.server.url}/artifacts/tock-1.0.0/plugin.wasm`);
    expect(await c.verify()).toEqual([{ id: 'tock', ok: true }]);
    const err = await expectRefusal(c.home.root, 'E_ALL_MIRRORS_FAILED', () => c.install('lost'));
    expect(err.message).toContain('404');
  });

  it('the last good mirror gone 404, the other with a root rotation: the 404 does not hide the new root', async () => {
    // A registry of its own: the rotation swaps the timestamp key, so only a client that followed the new root
    // can verify the next timestamp.
    const rot = await createLab();
    const was = await startFaultServer(rot.registryDir);
    try {
      await rot.add({ id: 'tick', version: '1.0.0' });
      await rot.publish();
      const c = await home([was.url, rot.server.url], rot);
      await refreshOrThrow(c);
      expect(c.sources().sources[0]?.last_good).toBe(was.url);
      await was.setFault('404'); // the repo behind the last good mirror was deleted

      const keys = (await loadRoleKeys(rot.keysDir)) as RoleKeys;
      const next = { ...keys, timestamp: generateRoleKey('timestamp') };
      const v2 = buildRoot(next, { version: 2, expires: addDays(new Date(), 365) });
      await writeRootMetadata(rot.registryDir, v2);
      const nextKeys = join(rot.root, 'keys-v2');
      await saveRoleKeys(nextKeys, next);
      await resignTimestamp(rot.registryDir, { keysDir: nextKeys });

      const r = await c.refresh();
      expect(r.failed).toEqual([]);
      expect(r.refreshed[0]?.mirror).toBe(rot.server.url);
      const trusted = JSON.parse(readFileSync(join(c.home.root, 'trust', 'lab', 'metadata', 'root.json'), 'utf8'));
      expect(trusted.signed.version).toBe(2);
    } finally {
      await was.close();
      await rot.close();
    }
  });
});
