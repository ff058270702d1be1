// `wharf search` on a sharded source goes through the signed search index: a real sharded registry (demo builder,
// then `wharf-admin shard`) on two fault servers on 127.0.0.1, the real WharfClient and once the real CLI binary.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WharfClient } from '@wharf/client';
import { addReleaseFromFiles, buildDemoRegistry, type DemoRegistry, migrateToSharded } from '@wharf/tools';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { minisignKey, signedRelease } from '../../tools/test/fixtures.js';
import { EXAMPLES, REPO, runCli, tempDir, WHARF } from '../helpers/demo.js';
import { type FaultServer, startFaultServer } from '../helpers/fault-server.js';
import { expectRefusal, tempLeftovers } from '../helpers/snapshot-dir.js';

// Says on stderr, at exit, whether node:crypto was loaded (test/home/report-crypto.cjs).
const REPORT_CRYPTO = join(REPO, 'test', 'home', 'report-crypto.cjs');
const LIMITS = { headersTimeoutMs: 2_000, stallTimeoutMs: 1_500, minBytesPerSec: 1_024, totalTimeoutMs: 10_000 };
const NO_HEDGE_MS = 600_000;

let root: string;
let reg: DemoRegistry;
let sharded: string;
let primary: FaultServer;
let mirror: FaultServer;
let home: string;

const client = (o: { offline?: boolean } = {}) =>
  new WharfClient({ home, limits: LIMITS, hedgeDelayMs: NO_HEDGE_MS, ...o });
const paths = (s: FaultServer, from: number) => s.log.slice(from).map((e) => e.path);
const ids = (hits: Array<{ plugin_id: string }>) => hits.map((h) => h.plugin_id);

beforeAll(async () => {
  root = tempDir('search-sharded');
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

async function publish(dir: string, id: string): Promise<void> {
  const work = join(root, `rel-${id}-${Date.now()}`);
  mkdirSync(work);
  const author = await minisignKey(work);
  const rel = await signedRelease(work, author, {
    manifest: { id, name: id.replace('-', ' '), version: '1.0.0' },
  });
  await addReleaseFromFiles(dir, {
    manifestPath: rel.manifestPath,
    wasmPath: rel.wasmPath,
    sigPath: rel.sigPath,
    urls: [`${primary.url}/artifacts/none.wasm`],
  });
}

describe('search on a sharded source', () => {
  it('a fresh home finds a plugin it has not installed, through the signed manifest and a few chunks', async () => {
    await addSource();
    const n = primary.log.length;
    const hits = await client().search('vowels');
    expect(ids(hits)).toEqual(['count-vowels']);
    expect(hits[0]).toMatchObject({ address: 'count-vowels', source: 'main', verified: expect.any(Boolean) });
    const got = paths(primary, n);
    expect(got.filter((p) => p.startsWith('/targets/search/'))).toEqual([
      expect.stringMatching(/^\/targets\/search\/[0-9a-f]{64}\.manifest\.json$/),
    ]);
    expect(got.filter((p) => p.startsWith('/search/')).length).toBeGreaterThanOrEqual(2); // a term and a doc chunk
    expect(got.some((p) => p.startsWith('/targets/plugins/') || p.includes('registry.json'))).toBe(false);
    expect(client().list()).toEqual([]);
    // Typos from 4 letters, prefixes, AND; a warm search fetches nothing.
    const m = primary.log.length;
    expect(ids(await client().search('vowls'))).toEqual(['count-vowels']);
    expect(ids(await client().search('vow'))).toEqual(['count-vowels']);
    expect(paths(primary, m).filter((p) => p.startsWith('/metadata/') || p.startsWith('/targets/'))).toEqual([]);
    expect(tempLeftovers(home)).toEqual([]);
  });

  it('the home is untrusted: a damaged cached chunk or manifest record is fetched again, a link is refused', async () => {
    await addSource();
    await client().search('vowels');
    const dir = join(home, 'cache', 'index', 'search', 'main');
    const chunks = readdirSync(dir).filter((f) => /^[0-9a-f]{64}\.json$/.test(f));
    for (const f of chunks) writeFileSync(join(dir, f), '{"v":1,"terms":[]}\n');
    writeFileSync(join(dir, 'manifest.meta.json'), '{"alias":"main","sha256":"nope"}');
    const n = primary.log.length;
    expect(ids(await client().search('vowels'))).toEqual(['count-vowels']);
    expect(paths(primary, n).filter((p) => p.startsWith('/search/')).length).toBe(chunks.length);
    rmSync(dir, { recursive: true });
    symlinkSync(root, dir);
    await expectRefusal(home, 'E_PATH_ESCAPE', () => client().search('vowels'));
  });

  it('a warm search trusts files still stamped as when they were kept, and hashes any that changed', async () => {
    await addSource();
    expect(ids(await client().search('vowels'))).toEqual(['count-vowels']);
    const dir = join(home, 'cache', 'index', 'search', 'main');
    const meta = JSON.parse(readFileSync(join(dir, 'manifest.meta.json'), 'utf8'));
    expect(meta).toMatchObject({ stamp: expect.stringMatching(/^\d+:\d+:\d+$/), checked: 1 });
    const stamps = JSON.parse(readFileSync(join(dir, 'chunk-stamps.json'), 'utf8')) as Record<string, string>;
    const kept = readdirSync(dir).filter((f) => /^[0-9a-f]{64}\.json$/.test(f));
    expect(Object.keys(stamps).sort()).toEqual(kept.map((f) => f.slice(0, 64)).sort());
    // The real CLI, warm: manifest, timestamp and chunks read under their stamps, nothing hashed, nothing fetched.
    // Not spawnSync: the mirrors answer from this process.
    const cli = () =>
      runCli(WHARF, ['--json', 'search', 'vowels'], {
        env: { WHARF_HOME: home, NODE_OPTIONS: `--require=${REPORT_CRYPTO}` },
      });
    const n = primary.log.length;
    let r = await cli();
    expect(r.code, r.stderr).toBe(0);
    expect(ids(JSON.parse(r.stdout))).toEqual(['count-vowels']);
    expect(r.stderr).toMatch(/crypto not loaded/);
    expect(primary.log.length).toBe(n);
    // Each kept chunk edited in place, its size kept: its stamp moved, so it is hashed, refused and fetched again.
    for (const f of kept) {
      const text = readFileSync(join(dir, f), 'utf8');
      writeFileSync(
        join(dir, f),
        text.replace(/[a-z]/, (c) => (c === 'x' ? 'y' : 'x')),
      );
    }
    r = await cli();
    expect(r.code, r.stderr).toBe(0);
    expect(ids(JSON.parse(r.stdout))).toEqual(['count-vowels']);
    expect(r.stderr).toMatch(/crypto loaded/);
    expect(paths(primary, n).filter((p) => p.startsWith('/search/'))).toHaveLength(kept.length);
    // Fetched again, kept again, stamped again: the next warm search hashes nothing.
    r = await cli();
    expect(r.stderr).toMatch(/crypto not loaded/);
    // The manifest edited in place, its size kept: no longer the checked bytes, so fetched anew through TUF.
    const body = join(dir, 'manifest.json');
    const text = readFileSync(body, 'utf8');
    writeFileSync(body, text.replace('"docs":', '"docs" '));
    const m = primary.log.length;
    expect(ids(await client().search('vowels'))).toEqual(['count-vowels']);
    expect(paths(primary, m).filter((p) => p.startsWith('/targets/search/'))).toHaveLength(1);
    expect(readFileSync(body, 'utf8')).toBe(text);
  });

  it('a warm search reads only the lines it shows of a kept doc chunk, through a record checked like any input', async () => {
    await addSource();
    expect(ids(await client().search('vowels'))).toEqual(['count-vowels']);
    const dir = join(home, 'cache', 'index', 'search', 'main');
    const records = readdirSync(dir).filter((f) => f.endsWith('.lines.json'));
    // One per kept doc chunk (one doc per line), none for the term chunks.
    expect(records).toHaveLength(1);
    const doc = join(dir, (records[0] as string).replace('.lines.json', '.json'));
    const record = join(dir, records[0] as string);
    const pairs = JSON.parse(readFileSync(record, 'utf8')) as number[];
    const text = readFileSync(doc, 'utf8');
    expect(pairs.length / 2).toBe(JSON.parse(text).docs.length);
    for (let i = 0; i < pairs.length; i += 2)
      expect(JSON.parse(text.slice(pairs[i], pairs[i + 1]))).toEqual(JSON.parse(text).docs[i / 2]);
    // A record that does not fit the chunk (not JSON, out of the file, a line shifted) is not followed: the same
    // hits, and nothing fetched (the chunk itself is still the stamped one).
    const n = primary.log.length;
    // The last: it tiles the chunk, but its first two lines split elsewhere (caught by the bytes around a line).
    const resplit = [pairs[0], (pairs[1] as number) + 9, (pairs[2] as number) + 9, ...pairs.slice(3)];
    const bad = ['{', '[0,999999]', JSON.stringify(pairs.map((x) => x + 1)), JSON.stringify(pairs.slice(2)), '[]'];
    bad.push(JSON.stringify(resplit));
    for (const r of bad) {
      writeFileSync(record, r);
      for (const [q, id] of [
        ['vowels', 'count-vowels'],
        ['word', 'word-stats'],
        ['greet', 'greet'],
      ])
        expect(ids(await client().search(q as string)), r).toEqual([id]);
    }
    // A chunk kept without a record (a home from before records): read whole once, its record written after.
    rmSync(record);
    expect(ids(await client().search('greet'))).toEqual(['greet']);
    expect(JSON.parse(readFileSync(record, 'utf8'))).toEqual(pairs);
    expect(ids(await client().search('greet'))).toEqual(['greet']);
    expect(paths(primary, n).filter((p) => p.startsWith('/search/'))).toEqual([]);
    expect(tempLeftovers(home)).toEqual([]);
  });

  it('a no-change `wharf refresh` verifies no signature again while the record of its last check holds', async () => {
    await addSource();
    await client().refresh();
    await client().info('greet'); // a cached plugin file: the bin it falls in is among what the check reads
    const cli = async () => {
      const r = await runCli(WHARF, ['--json', 'refresh'], {
        env: { WHARF_HOME: home, NODE_OPTIONS: `--require=${REPORT_CRYPTO}` },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).failed).toEqual([]);
      return /crypto not loaded/.test(r.stderr) ? 'record' : 'checked';
    };
    // The first no-change refresh checks the trusted set (signatures, hashes) and records what it read; the next
    // ones find every file of it unchanged and load no node:crypto at all.
    expect(await cli()).toBe('checked');
    expect(await cli()).toBe('record');
    expect(await cli()).toBe('record');
    const record = JSON.parse(readFileSync(join(home, 'trust', 'main', 'verified.json'), 'utf8')) as {
      files: Record<string, string>;
    };
    const bin = Object.keys(record.files).find((f) => f.startsWith('bins-'));
    expect(bin).toBeDefined();
    // That bin written again with its own bytes: another stamp, so the whole set is checked again, and recorded.
    const file = join(home, 'trust', 'main', 'metadata', bin as string);
    writeFileSync(file, readFileSync(file));
    expect(await cli()).toBe('checked');
    expect(await cli()).toBe('record');
    // A plugin file fetched since (the cache body is another file now): checked again.
    await client().info('word-stats');
    expect(await cli()).toBe('checked');
    expect(tempLeftovers(home)).toEqual([]);
  });

  it('the real CLI searches from a fresh home', async () => {
    await addSource();
    const r = await runCli(WHARF, ['search', 'word', '--json'], { env: { WHARF_HOME: home } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const hits = JSON.parse(r.stdout) as Array<{ plugin_id: string }>;
    expect(ids(hits)).toContain('word-stats');
  });

  it('a tampered chunk on the primary: the mirror serves it; on every mirror: E_INDEX_HASH, the home unchanged', async () => {
    await addSource();
    await client().search('greet'); // the manifest is cached and current
    // Three plugins fit one term chunk and one doc chunk: drop the cached ones so the next search fetches them.
    const dropChunks = () => {
      const dir = join(home, 'cache', 'index', 'search', 'main');
      for (const f of readdirSync(dir)) if (/^[0-9a-f]{64}\.json$/.test(f)) rmSync(join(dir, f));
    };
    dropChunks();
    await primary.setFault({ kind: 'tampered', match: /^\/search\// });
    const m = mirror.log.length;
    expect(ids(await client().search('vowels'))).toEqual(['count-vowels']);
    expect(paths(mirror, m).some((p) => p.startsWith('/search/'))).toBe(true);
    await mirror.setFault({ kind: 'tampered', match: /^\/search\// });
    dropChunks();
    const e = await expectRefusal(home, 'E_INDEX_HASH', () => client().search('statistics'));
    expect(e.message).toMatch(/search/);
  });

  it('a tampered manifest on every mirror is refused by TUF, the home unchanged', async () => {
    await addSource();
    await client().catalog(); // trusted metadata, no search manifest yet
    for (const s of [primary, mirror]) await s.setFault({ kind: 'tampered', match: /^\/targets\/search\// });
    await expectRefusal(home, 'E_INDEX_HASH', () => client().search('vowels'));
    // The primary only: failover to the mirror.
    await mirror.setFault('ok');
    expect(ids(await client().search('vowels'))).toEqual(['count-vowels']);
  });

  it('a manifest two publishes old names pruned chunks: the search fetches the signed manifest anew', async () => {
    await addSource();
    expect(ids(await client().search('vowels'))).toEqual(['count-vowels']);
    const pub = join(root, `pub2-${Date.now()}`);
    cpSync(sharded, pub, { recursive: true });
    cpSync(reg.keysDir, `${pub}.keys`, { recursive: true });
    for (const id of ['vowel-one', 'vowel-two']) await publish(pub, id);
    primary.serve(pub);
    mirror.serve(pub);
    const dir = join(home, 'cache', 'index', 'search', 'main');
    for (const f of readdirSync(dir)) if (/^[0-9a-f]{64}\.json$/.test(f)) rmSync(join(dir, f));
    const n = primary.log.length;
    // The answer comes from the new manifest: it knows the two new plugins ('vowel' is one edit from 'vowels').
    expect(ids(await client().search('vowels')).sort()).toEqual(['count-vowels', 'vowel-one', 'vowel-two']);
    const got = paths(primary, n);
    // The old manifest's chunks were pruned (404), then the new manifest was fetched once.
    expect(primary.log.slice(n).some((e) => e.path.startsWith('/search/') && e.status === 404)).toBe(true);
    expect(got.filter((p) => p.startsWith('/targets/search/'))).toHaveLength(1);
    expect(ids(await client().search('vowel two'))).toEqual(['vowel-two']);
  });

  it('after a publish, the next refresh and search see the new plugin; offline search answers from the cache', async () => {
    await addSource();
    expect(ids(await client().search('vowels'))).toEqual(['count-vowels']);
    const pub = join(root, `pub-${Date.now()}`);
    cpSync(sharded, pub, { recursive: true });
    cpSync(reg.keysDir, `${pub}.keys`, { recursive: true });
    const work = join(root, `rel-${Date.now()}`);
    mkdirSync(work);
    const author = await minisignKey(work);
    const rel = await signedRelease(work, author, {
      manifest: { id: 'vowel-shouter', name: 'Vowel Shouter', version: '1.0.0' },
    });
    await addReleaseFromFiles(pub, {
      manifestPath: rel.manifestPath,
      wasmPath: rel.wasmPath,
      sigPath: rel.sigPath,
      urls: [`${primary.url}/artifacts/none.wasm`],
    });
    primary.serve(pub);
    mirror.serve(pub);
    expect((await client().refresh()).failed).toEqual([]);
    expect(ids(await client().search('shouter'))).toEqual(['vowel-shouter']);
    // Offline: what was searched is in the cache; a word whose chunks never were is E_INDEX_STALE.
    await primary.setFault('refused');
    await mirror.setFault('refused');
    expect(ids(await client({ offline: true }).search('shouter'))).toEqual(['vowel-shouter']);
    const dir = join(home, 'cache', 'index', 'search', 'main');
    for (const f of readdirSync(dir)) if (/^[0-9a-f]{64}\.json$/.test(f)) rmSync(join(dir, f));
    await expectRefusal(home, 'E_INDEX_STALE', () => client({ offline: true }).search('shouter'));
  });
});
