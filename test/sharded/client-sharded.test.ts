// The real WharfClient against a real sharded registry (tools' demo builder, then `wharf-admin shard`) served by
// two fault servers on 127.0.0.1: a command fetches only the bins and plugin files it needs, each file passes
// tuf-js's checks whichever mirror served it, and a home that trusted the monolithic index follows the migration.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { WharfClient } from '@wharf/client';
import {
  binOf,
  buildDemoRegistry,
  type DemoRegistry,
  migrateToSharded,
  publishShardedPlugins,
  readPluginFile,
  readShardedState,
  writePluginFile,
} from '@wharf/tools';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLES, tempDir } from '../helpers/demo.js';
import { type FaultServer, startFaultServer } from '../helpers/fault-server.js';
import { refusalOf, snapshotDir, tempLeftovers, userState } from '../helpers/snapshot-dir.js';

const LIMITS = { headersTimeoutMs: 2_000, stallTimeoutMs: 1_500, minBytesPerSec: 1_024, totalTimeoutMs: 10_000 };
/** The next mirror starts only when the current one failed: which mirror answers follows from the faults alone. */
const NO_HEDGE_MS = 600_000;

let root: string;
let reg: DemoRegistry;
let monolithic: string;
let sharded: string;
let primary: FaultServer;
let mirror: FaultServer;
let home: string;

const client = () => new WharfClient({ home, limits: LIMITS, hedgeDelayMs: NO_HEDGE_MS });
const paths = (s: FaultServer, from: number) => s.log.slice(from).map((e) => e.path);

beforeAll(async () => {
  root = tempDir('sharded');
  const artifacts = join(root, 'artifacts');
  cpSync(EXAMPLES, artifacts, { recursive: true, filter: (s) => !s.includes('node_modules') });
  mkdirSync(join(root, 'registry'));
  primary = await startFaultServer(join(root, 'registry'), { mounts: { '/artifacts/': artifacts } });
  mirror = await startFaultServer(join(root, 'registry'), { mounts: { '/artifacts/': artifacts } });
  reg = await buildDemoRegistry({
    dir: join(root, 'registry'),
    examplesDir: artifacts,
    artifactBaseUrl: `${primary.url}/artifacts`,
    only: ['count-vowels', 'greet', 'word-stats'],
  });
  monolithic = join(root, 'monolithic');
  cpSync(reg.registryDir, monolithic, { recursive: true });
  await migrateToSharded(reg.registryDir, { keysDir: reg.keysDir, bitLength: 4 });
  sharded = reg.registryDir;
});

afterAll(async () => {
  await primary?.close();
  await mirror?.close();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(async () => {
  home = join(root, `home-${Math.random().toString(36).slice(2)}`);
  for (const s of [primary, mirror]) {
    await s.setFault('ok');
    s.serve(sharded);
  }
});

async function addSource(): Promise<void> {
  await client().addSource({
    alias: 'main',
    url: primary.url,
    mirrors: [mirror.url],
    rootFile: join(reg.registryDir, 'metadata', '1.root.json'),
  });
}

describe('a sharded source', () => {
  it('a fresh home installs one plugin fetching one bin and one plugin file, and lists only what it fetched', async () => {
    await addSource();
    const n = primary.log.length;
    const r = await client().install('greet');
    expect(r.id).toBe('greet');
    const got = paths(primary, n);
    const state = await readShardedState(sharded);
    const bin = binOf(state?.roles as NonNullable<typeof state>['roles'], 'greet');
    expect(got.filter((p) => p.includes('bins-'))).toEqual([expect.stringMatching(new RegExp(`\\.${bin}\\.json$`))]);
    expect(got.filter((p) => p.startsWith('/targets/plugins/'))).toEqual([
      expect.stringMatching(/^\/targets\/plugins\/[0-9a-f]{64}\.greet\.json$/),
    ]);
    expect(got.some((p) => p.includes('registry.json'))).toBe(false);
    const cat = await client().catalog();
    expect(cat.entries.map((e) => e.address)).toEqual(['greet']);
    // The trusted bin is kept with the rest of the trusted metadata, for the next refresh.
    expect(Object.keys(snapshotDir(join(home, 'trust', 'main', 'metadata')))).toContain(`${bin}.json`);
    expect(tempLeftovers(home)).toEqual([]);
  });

  it('info on a plugin not fetched yet fetches its file; an unknown id is E_NOT_FOUND and changes nothing', async () => {
    await addSource();
    const c = client();
    expect((await c.info('word-stats')).plugin.plugin_id).toBe('word-stats');
    const body = () => snapshotDir(home)['cache/index/main.registry.json'];
    const before = body();
    const e = await refusalOf(c.info('no-such-plugin'));
    expect(e.code).toBe('E_NOT_FOUND');
    // Looking for it verified that bin (kept as trusted metadata) and found nothing: the cached index is as it was.
    expect(body()).toBe(before);
    expect((await c.catalog()).entries.map((x) => x.address)).toEqual(['word-stats']);
    expect(tempLeftovers(home)).toEqual([]);
  });

  it('after one plugin is published a refresh fetches the timestamp, the snapshot and that bin only when it holds a plugin the home has', async () => {
    await addSource();
    await client().install('greet');
    const pub = join(root, `pub-${Date.now()}`);
    cpSync(sharded, pub, { recursive: true });
    cpSync(reg.keysDir, `${pub}.keys`, { recursive: true });
    const greet = await readPluginFile(pub, 'greet');
    if (!greet) throw new Error('greet is in the registry');
    await writePluginFile(pub, { ...greet, stats: { downloads: 42, stars: 1 } });
    await publishShardedPlugins(pub, ['greet']);
    primary.serve(pub);
    mirror.serve(pub);
    const n = primary.log.length;
    const r = await client().refresh();
    expect(r.failed).toEqual([]);
    // A sharded report counts the plugin files the home holds, and says so (not the index's size).
    expect(r.refreshed[0]).toMatchObject({ sharded: true });
    const got = paths(primary, n);
    expect(got.filter((p) => /\.snapshot\.json$/.test(p))).toHaveLength(1);
    expect(got.filter((p) => p.includes('bins-'))).toHaveLength(1);
    expect(got.filter((p) => p.startsWith('/targets/'))).toEqual([expect.stringMatching(/\.greet\.json$/)]);
    expect(got.some((p) => /\.targets\.json$/.test(p))).toBe(false);
    expect((await client().info('greet')).plugin.stats.downloads).toBe(42);
  });

  it('a tampered plugin file on the primary: the mirror serves that file, the install succeeds', async () => {
    await addSource();
    await primary.setFault({ kind: 'tampered', match: /^\/targets\/plugins\// });
    const m = mirror.log.length;
    const r = await client().install('count-vowels');
    expect(r.id).toBe('count-vowels');
    expect(paths(mirror, m).some((p) => /^\/targets\/plugins\/[0-9a-f]{64}\.count-vowels\.json$/.test(p))).toBe(true);
  });

  it('every mirror serving a tampered bin: E_INDEX_HASH-class refusal, the home byte-identical', async () => {
    await addSource();
    await client().refresh();
    const before = userState(home);
    const trust = snapshotDir(join(home, 'trust'));
    for (const s of [primary, mirror]) await s.setFault({ kind: 'tampered', match: /bins-/ });
    const e = await refusalOf(client().install('greet'));
    expect(['E_INDEX_SIGNATURE', 'E_INDEX_HASH', 'E_ALL_MIRRORS_FAILED']).toContain(e.code);
    expect(userState(home)).toEqual(before);
    expect(snapshotDir(join(home, 'trust'))).toEqual(trust);
    expect(tempLeftovers(home)).toEqual([]);
  });

  it('offline with every mirror down: what was fetched answers, labelled stale', async () => {
    await addSource();
    await client().install('greet');
    for (const s of [primary, mirror]) await s.setFault('refused');
    const r = await client().refresh();
    expect(r.failed[0]?.code).toBe('E_ALL_MIRRORS_FAILED');
    const cat = await client().catalog();
    expect(cat.stale.map((s) => s.alias)).toEqual(['main']);
    expect((await client().info('greet')).plugin.plugin_id).toBe('greet');
  });
});

describe('migration: a home that trusted the monolithic index', () => {
  it('follows the new delegations, signed by the same root, and keeps its installed plugin in the catalog', async () => {
    for (const s of [primary, mirror]) s.serve(monolithic);
    await addSource();
    const c = client();
    await c.install('count-vowels');
    expect((await c.catalog()).entries.map((e) => e.address).sort()).toEqual(['count-vowels', 'greet', 'word-stats']);

    for (const s of [primary, mirror]) s.serve(sharded);
    const r = await c.refresh();
    expect(r.failed).toEqual([]);
    // only the installed plugin is kept fresh; the others come when a command names them
    expect((await c.catalog()).entries.map((e) => e.address)).toEqual(['count-vowels']);
    expect((await c.info('greet')).plugin.plugin_id).toBe('greet');
    expect((await c.outdated()).map((o) => o.id)).toEqual([]);
  });
});
