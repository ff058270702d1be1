// An artifact URL whose body never ends (no Content-Length, bytes forever): the download stops at the pinned
// size, nothing is kept (no temp file, no cache entry, no plugin dir, lockfile untouched), and a second URL with
// the pinned bytes is used instead. A real fault server on 127.0.0.1 streams the endless body.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { WharfClient } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, WHARF } from '../helpers/demo.js';
import { type FaultServer, startFaultServer } from '../helpers/fault-server.js';
import { createLab, type ReleaseLab } from '../helpers/release-lab.js';
import { expectRefusal, tempLeftovers, userState } from '../helpers/snapshot-dir.js';

let lab: ReleaseLab;
let endless: FaultServer;

const cached = (c: WharfClient) => (existsSync(c.home.artifacts) ? readdirSync(c.home.artifacts) : []);

beforeAll(async () => {
  lab = await createLab();
  endless = await startFaultServer(lab.registryDir, {
    mounts: { '/artifacts/': lab.artifacts },
    fault: { kind: 'endless', match: /^\/artifacts\// },
  });
  await lab.add({ id: 'flood', version: '1.0.0', urlBase: `${endless.url}/artifacts` });
  await lab.add({
    id: 'flood-then-good',
    version: '1.0.0',
    urlBases: [`${endless.url}/artifacts`, `${lab.server.url}/artifacts`],
  });
  await lab.publish();
});
afterAll(async () => {
  await endless?.close();
  await lab?.close();
});

describe('an endless artifact body', () => {
  it('is cut at the pinned size and refused (E_ARTIFACT_HASH); nothing is kept', async () => {
    const c = await lab.client();
    const err = await expectRefusal(c.home.root, 'E_ARTIFACT_HASH', () => c.install('flood'));
    expect(err.message).toMatch(/cap/);
    expect(endless.count(/^\/artifacts\/flood-1\.0\.0\//)).toBe(1);
    expect(cached(c)).toEqual([]);
    expect(c.list()).toEqual([]);
    expect(existsSync(join(c.home.plugins, 'flood'))).toBe(false);
  });

  it('as the first URL: the next URL serves the pinned bytes and the install verifies', async () => {
    const c = await lab.client();
    const r = await c.install('flood-then-good');
    expect(r.url).toBe(`${lab.server.url}/artifacts/flood-then-good-1.0.0/plugin.wasm`);
    expect(await c.verify()).toEqual([{ id: 'flood-then-good', ok: true }]);
    expect(tempLeftovers(c.home.root)).toEqual([]);
  });

  it('through the CLI: exit 1 with the code, the home as it was', async () => {
    const c = await lab.client();
    const before = userState(c.home.root);
    const r = await runCli(WHARF, ['--home', c.home.root, 'install', 'flood']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_ARTIFACT_HASH');
    expect(userState(c.home.root)).toEqual(before);
    expect(tempLeftovers(c.home.root)).toEqual([]);
    expect(cached(c)).toEqual([]);
  });
});
