// DESIGN §3: a third-party source's ids are addressed `<alias>:<id>` and never shadow the official ones. Two real
// signed registries on 127.0.0.1: "wharf" (added first, the official one) and "extra", a third party that lists
// the same ids with other bytes and another key. Bare ids, dependencies and updates must all stay official.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WharfClient, writeKeyPair } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/demo.js';
import { createLab, type ReleaseLab } from '../helpers/release-lab.js';

let official: ReleaseLab;
let extra: ReleaseLab;

beforeAll(async () => {
  official = await createLab();
  extra = await createLab();
  await official.add({ id: 'tick', version: '1.0.0' });
  await official.add({ id: 'lib', version: '1.0.0' });
  await official.add({ id: 'app', version: '1.0.0', dependencies: { lib: '^1' } });
  await official.publish();
  // The third party: the same ids, newer versions, its own key.
  const dir = tempDir('extra-key');
  const k = writeKeyPair(dir, { name: 'extra' });
  const key = { secretKeyPath: k.secretKeyPath, publicKey: readFileSync(k.publicKeyPath, 'utf8').split('\n')[1] ?? '' };
  await extra.add({ id: 'tick', version: '9.0.0', key });
  await extra.add({ id: 'lib', version: '1.9.0', key });
  await extra.add({ id: 'only-extra', version: '1.0.0', key });
  await extra.publish();
});
afterAll(async () => {
  await extra?.close();
  await official?.close();
});

/** A home with the official source, then the third party (optionally asking for a lower priority number). */
async function home(extraPriority?: number): Promise<WharfClient> {
  const c = new WharfClient({ home: join(tempDir('shadow'), 'home') });
  await c.addSource({ alias: 'wharf', url: official.server.url, rootSha256: official.rootSha256 });
  await c.addSource({
    alias: 'extra',
    url: extra.server.url,
    rootSha256: extra.rootSha256,
    ...(extraPriority !== undefined ? { priority: extraPriority } : {}),
  });
  expect((await c.refresh()).failed).toEqual([]);
  return c;
}

async function officialBehaviour(c: WharfClient): Promise<void> {
  const bare = await c.install('tick');
  expect(bare).toMatchObject({ id: 'tick', version: '1.0.0' });
  expect(c.list().find((e) => e.id === 'tick')?.source).toBe('wharf');
  expect((await c.info('tick')).source).toBe('wharf');
  // A dependency named bare resolves in its dependent's source, not in the third party's newer lib.
  const [app, lib] = await c.installMany(['app']);
  expect(app).toMatchObject({ id: 'app', version: '1.0.0' });
  expect(lib).toMatchObject({ id: 'lib', version: '1.0.0' });
  expect(c.list().find((e) => e.id === 'lib')?.source).toBe('wharf');
  // The third party's plugins are there, under their alias.
  const hits = await c.search('tick');
  expect(hits.map((h) => h.address).sort()).toEqual(['extra:tick', 'tick']);
  expect((await c.install('extra:tick')).version).toBe('9.0.0');
  expect((await c.install('only-extra').catch((e) => e)).code).toBe('E_NOT_FOUND');
  expect((await c.install('extra:only-extra')).version).toBe('1.0.0');
  // update keeps every bare entry on the official source: the third party's 9.0.0 is not an update of tick.
  const r = await c.update();
  expect(r.updated).toEqual([]);
  expect(c.list().find((e) => e.id === 'tick')).toMatchObject({ source: 'wharf', version: '1.0.0' });
  expect((await c.verify()).every((v) => v.ok)).toBe(true);
}

describe('a third-party source listing official ids', () => {
  it('added after the official one: bare ids, dependencies and updates stay official', async () => {
    await officialBehaviour(await home());
  });

  it('added with a lower priority number: it is tried first, yet still never shadows the official ids', async () => {
    const c = await home(1);
    expect(c.sources().current).toBe('wharf');
    await officialBehaviour(c);
  });
});
