// `source add` anchors trust in the root fingerprint the user gives (DESIGN §3). A mirror whose 1.root.json has
// another sha256 (a wrong --root-sha256, a swapped mirror) is refused with E_ROOT_FINGERPRINT and nothing is
// stored: no source, no trust dir, not even an empty one; the same through the real `wharf` binary.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { WharfClient } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, WHARF } from '../helpers/demo.js';
import { createLab, type ReleaseLab } from '../helpers/release-lab.js';
import { expectRefusal, snapshotDir, tempLeftovers } from '../helpers/snapshot-dir.js';

/** Every dir and file under `dir` (dirs end in "/"): an empty trust dir left behind shows up here. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out.push(relative(dir, p) + (e.isDirectory() ? '/' : ''));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

let lab: ReleaseLab;
let other: ReleaseLab;
const WRONG = 'ab'.repeat(32);

beforeAll(async () => {
  lab = await createLab();
  await lab.add({ id: 'tick', version: '1.0.0' });
  await lab.publish();
  other = await createLab(); // another registry: its root is real, just not the one the user trusts
});
afterAll(async () => {
  await other?.close();
  await lab?.close();
});

describe('a root that is not the fingerprinted one', () => {
  it('a wrong --root-sha256 stores nothing, in an empty home', async () => {
    const c = new WharfClient({ home: join(tempDir('fp'), 'home') });
    const before = tree(c.home.root);
    const err = await expectRefusal(c.home.root, 'E_ROOT_FINGERPRINT', () =>
      c.addSource({ alias: 'lab', url: lab.server.url, rootSha256: WRONG }),
    );
    expect(err.message).toContain(WRONG);
    expect(tree(c.home.root)).toEqual(before);
    expect(c.sources().sources).toEqual([]);
  });

  it("a mirror that serves another registry's root stores nothing, beside a trusted source", async () => {
    const c = await lab.client(); // source "lab" added and refreshed
    const sources = readFileSync(c.home.sourcesFile);
    const before = tree(c.home.root);
    await expectRefusal(c.home.root, 'E_ROOT_FINGERPRINT', () =>
      c.addSource({ alias: 'second', url: other.server.url, rootSha256: lab.rootSha256 }),
    );
    expect(readFileSync(c.home.sourcesFile)).toEqual(sources);
    expect(tree(c.home.root)).toEqual(before);
  });

  it('a --root-file whose sha256 is not the given one stores nothing', async () => {
    const c = new WharfClient({ home: join(tempDir('fp'), 'home') });
    const before = tree(c.home.root);
    await expectRefusal(c.home.root, 'E_ROOT_FINGERPRINT', () =>
      c.addSource({
        alias: 'lab',
        url: lab.server.url,
        rootFile: join(other.registryDir, 'metadata', '1.root.json'),
        rootSha256: lab.rootSha256,
      }),
    );
    expect(tree(c.home.root)).toEqual(before);
  });

  it('the CLI exits 1 with E_ROOT_FINGERPRINT and leaves the home as it was', async () => {
    const home = join(tempDir('fp-cli'), 'home');
    const wharf = (...a: string[]) => runCli(WHARF, ['--home', home, ...a]);
    // A first command lays out the home, so "as it was" is a real home rather than a missing dir.
    expect((await wharf('source', 'list')).code).toBe(0);
    const before = tree(home);
    const files = snapshotDir(home);
    const r = await wharf('source', 'add', 'lab', lab.server.url, '--root-sha256', WRONG);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_ROOT_FINGERPRINT');
    expect(tree(home)).toEqual(before);
    expect(snapshotDir(home)).toEqual(files);
    expect(tempLeftovers(home)).toEqual([]);
    // Nothing to refresh from: the refused source was never configured.
    const refresh = await wharf('--json', 'refresh');
    expect(refresh.stdout).toContain('E_SOURCE_UNKNOWN');
  });
});
