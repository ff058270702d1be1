import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WharfClient } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, WHARF } from '../helpers/demo.js';
import { createLab, type ReleaseLab } from '../helpers/release-lab.js';
import { snapshotDir, tempLeftovers } from '../helpers/snapshot-dir.js';

// DESIGN §4 "the home is untrusted input", through the real `wharf` binary: an edited lockfile, an edited
// sources.json and links planted under the home must not make wharf remove or write anything outside the home.
// Each refusal: the code, the whole box (the home and the folder that holds it) byte-identical, no temp files.

interface Box {
  box: string;
  home: string;
  outside: string;
  c: WharfClient;
}

describe('the home is untrusted input', () => {
  let lab: ReleaseLab;
  beforeAll(async () => {
    lab = await createLab();
    await lab.add({ id: 'one', version: '1.0.0' });
    await lab.add({ id: 'two', version: '1.0.0' });
    await lab.publish();
  });
  afterAll(async () => lab?.close());

  /** A home inside a folder that also holds an unrelated file and an "outside" dir: what an escape would hit. */
  async function boxed(): Promise<Box> {
    const box = tempDir('box');
    const home = join(box, 'home');
    const outside = join(box, 'outside');
    mkdirSync(outside);
    writeFileSync(join(box, 'sentinel.txt'), 'not wharf’s\n');
    writeFileSync(join(outside, 'keep.txt'), 'keep\n');
    const c = await lab.client(home);
    await c.install('one');
    return { box, home, outside, c };
  }

  /** Run the CLI on the box's home; it must refuse with `code`, leave the whole box as it was and no temp files. */
  async function refusedByCli(b: Box, code: string, args: string[]): Promise<string> {
    const before = snapshotDir(b.box);
    const r = await runCli(WHARF, ['--home', b.home, ...args]);
    expect(r.stderr).toMatch(new RegExp(`error ${code}:`));
    expect(r.code, r.stderr).toBe(1);
    expect(snapshotDir(b.box)).toEqual(before);
    expect(tempLeftovers(b.box)).toEqual([]);
    return r.stderr;
  }

  // biome-ignore lint/suspicious/noExplicitAny: hand edits of a JSON file, as a user (or an attacker) makes them
  type Json = any;
  const editJson = (file: string, edit: (j: Json) => void) => {
    const j = JSON.parse(readFileSync(file, 'utf8'));
    edit(j);
    writeFileSync(file, JSON.stringify(j, null, 2));
  };

  it('a lockfile path climbing out of plugins/: `wharf uninstall` refuses E_PATH_ESCAPE and removes nothing', async () => {
    const b = await boxed();
    try {
      // plugins/../.. is the folder that holds the home: the version dir an unchecked uninstall removes.
      editJson(b.c.home.lockfile, (l) => {
        l.plugins.one.path = 'plugins/../../plugin.wasm';
      });
      await refusedByCli(b, 'E_PATH_ESCAPE', ['uninstall', 'one']);
      // Readers refuse the same lockfile rather than act on it.
      await refusedByCli(b, 'E_PATH_ESCAPE', ['list']);
    } finally {
      rmSync(b.box, { recursive: true, force: true });
    }
  });

  it("a lockfile path into another plugin's dir: uninstall refuses E_LOCK_MISMATCH and the other plugin stays", async () => {
    const b = await boxed();
    try {
      await b.c.install('two');
      const two = b.c.list().find((e) => e.id === 'two')?.path as string;
      editJson(b.c.home.lockfile, (l) => {
        l.plugins.one.path = two;
      });
      await refusedByCli(b, 'E_LOCK_MISMATCH', ['uninstall', 'one']);
    } finally {
      rmSync(b.box, { recursive: true, force: true });
    }
  });

  it('a lockfile path climbing out: `wharf update` refuses E_PATH_ESCAPE before removing the old version', async () => {
    const u = await createLab();
    const box = tempDir('box');
    try {
      await u.add({ id: 'one', version: '1.0.0' });
      await u.publish();
      const home = join(box, 'home');
      writeFileSync(join(box, 'sentinel.txt'), 'not wharf’s\n');
      const c = await u.client(home);
      await c.install('one');
      await u.add({ id: 'one', version: '1.1.0' });
      await u.publish();
      await c.refresh();
      editJson(c.home.lockfile, (l) => {
        l.plugins.one.path = 'plugins/../../plugin.wasm';
      });
      await refusedByCli({ box, home, outside: box, c }, 'E_PATH_ESCAPE', ['update']);
    } finally {
      rmSync(box, { recursive: true, force: true });
      await u.close();
    }
  });

  it('a sources.json alias that is a path: `wharf source remove` refuses E_PATH_ESCAPE', async () => {
    const b = await boxed();
    try {
      // trust/../.. is the folder that holds the home: what an unchecked `source remove` deletes.
      editJson(b.c.home.sourcesFile, (s) => {
        s.sources[0].alias = '../..';
      });
      await refusedByCli(b, 'E_PATH_ESCAPE', ['source', 'remove', '../..']);
    } finally {
      rmSync(b.box, { recursive: true, force: true });
    }
  });

  it('a link at cache/artifacts: install refuses E_PATH_ESCAPE and writes nothing outside', async () => {
    const b = await boxed();
    try {
      rmSync(b.c.home.artifacts, { recursive: true });
      symlinkSync(b.outside, b.c.home.artifacts);
      const err = await refusedByCli(b, 'E_PATH_ESCAPE', ['install', 'two']);
      expect(err).toMatch(/symbolic link/);
    } finally {
      rmSync(b.box, { recursive: true, force: true });
    }
  });

  it('a link at tmp: install refuses E_PATH_ESCAPE and writes nothing outside', async () => {
    const b = await boxed();
    try {
      rmSync(b.c.home.tmp, { recursive: true });
      symlinkSync(b.outside, b.c.home.tmp);
      await refusedByCli(b, 'E_PATH_ESCAPE', ['install', 'two']);
    } finally {
      rmSync(b.box, { recursive: true, force: true });
    }
  });

  it('a link at trust/<alias>/metadata: refresh refuses E_PATH_ESCAPE and writes nothing outside', async () => {
    const b = await boxed();
    const u = await createLab();
    try {
      // A source whose index moves on, so that a refresh through the link would rewrite the files behind it.
      await u.add({ id: 'one', version: '1.0.0' });
      await u.publish();
      await b.c.addSource({ alias: 'moving', url: u.server.url, rootSha256: u.rootSha256 });
      await b.c.refresh();
      await u.add({ id: 'one', version: '1.1.0' });
      await u.publish();
      const meta = join(b.c.home.trustDir('moving'), 'metadata');
      const elsewhere = join(b.outside, 'metadata');
      cpSync(meta, elsewhere, { recursive: true });
      rmSync(meta, { recursive: true });
      symlinkSync(elsewhere, meta);
      await refusedByCli(b, 'E_PATH_ESCAPE', ['refresh']);
    } finally {
      rmSync(b.box, { recursive: true, force: true });
      await u.close();
    }
  });

  it('a linked version dir: install refuses E_PATH_ESCAPE instead of saying "installed" over bytes elsewhere', async () => {
    const b = await boxed();
    try {
      const plugin = (await b.c.catalog()).find({ id: 'two' }).plugin;
      const rel = plugin.releases[0];
      const versionDir = join(b.c.home.plugins, 'two', `${rel?.version}-${rel?.artifact.sha256.slice(0, 12)}`);
      mkdirSync(join(b.outside, 'v'));
      writeFileSync(join(b.outside, 'v', 'plugin.wasm'), 'not the verified bytes');
      mkdirSync(join(b.c.home.plugins, 'two'));
      symlinkSync(join(b.outside, 'v'), versionDir);
      await refusedByCli(b, 'E_PATH_ESCAPE', ['install', 'two']);
    } finally {
      rmSync(b.box, { recursive: true, force: true });
    }
  });

  it('a link at trust/<alias>: source remove refuses E_PATH_ESCAPE and the linked folder survives', async () => {
    const b = await boxed();
    try {
      const trust = b.c.home.trustDir('lab');
      const elsewhere = join(b.outside, 'trust-lab');
      cpSync(trust, elsewhere, { recursive: true });
      rmSync(trust, { recursive: true });
      symlinkSync(elsewhere, trust);
      await refusedByCli(b, 'E_PATH_ESCAPE', ['source', 'remove', 'lab']);
    } finally {
      rmSync(b.box, { recursive: true, force: true });
    }
  });
});
