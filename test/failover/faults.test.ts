// Bad mirrors, for real: two fault servers on 127.0.0.1 serving real signed registries (tools' demo builder),
// a real WharfClient home, tuf-js verifying. Each refusal asserts the code, that trusted state only moved
// forward, that lockfile/plugins/cached index are byte-identical, and that no temp files were left.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { globalAgent } from 'node:http';
import { join } from 'node:path';
import { type FetchLimits, fetchChunks, WharfClient } from '@wharf/client';
import { buildDemoRegistry, type DemoRegistry, migrateToSharded, publishRegistry, resignTimestamp } from '@wharf/tools';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXAMPLES, runCli, tempDir, WHARF } from '../helpers/demo.js';
import { type FaultKind, type FaultServer, startFaultServer } from '../helpers/fault-server.js';
import { refusalOf, snapshotDir, tempLeftovers, userState } from '../helpers/snapshot-dir.js';

// Short deadlines keep the file fast, yet a healthy loopback answer on a busy machine fits in them many times
// over; the 1 byte/s case still trips the throughput floor, not the stall timer.
const LIMITS: FetchLimits = {
  headersTimeoutMs: 2_000,
  stallTimeoutMs: 1_500,
  minBytesPerSec: 1_024,
  totalTimeoutMs: 10_000,
};
const HEDGE_MS = 50;
/** Longer than any deadline: the next mirror starts only when the current one has failed, never because it was slow. */
const NO_HEDGE_MS = 600_000;
const META = /^\/(metadata|targets)\//;
/** test/sharded/faults-sharded.test.ts runs this file again against the sharded layout (DESIGN §3 "At scale"). */
const SHARDED = process.env.WHARF_TEST_LAYOUT === 'sharded';

let root: string;
let reg: DemoRegistry;
let primary: FaultServer;
let mirror: FaultServer;
/** Registry trees: A (oldest), B (what a fresh home trusts), C (current), expired (C + an expired timestamp). */
const tree = { A: '', B: '', C: '', expired: '' };
let versions: { B: number; C: number };
let template: string;
let home: string;

const client = () => new WharfClient({ home, limits: LIMITS, hedgeDelayMs: HEDGE_MS });
/** For tests that count requests: which mirror answers follows from the faults alone, not from who is faster. */
const unhedged = () => new WharfClient({ home, limits: LIMITS, hedgeDelayMs: NO_HEDGE_MS });
const trustedVersion = (h: string, role: string) =>
  (
    JSON.parse(readFileSync(join(h, 'trust', 'main', 'metadata', `${role}.json`), 'utf8')) as {
      signed: { version: number };
    }
  ).signed.version;
/** The state a refusal must not touch (userState already leaves out the stale note a failed refresh adds). */
const state = userState;

beforeAll(async () => {
  root = tempDir('failover');
  const artifacts = join(root, 'artifacts');
  cpSync(EXAMPLES, artifacts, { recursive: true, filter: (s) => !s.includes('node_modules') });
  for (const d of ['A', 'B', 'C', 'expired', 'registry']) mkdirSync(join(root, d));
  mirror = await startFaultServer(join(root, 'registry'), { mounts: { '/artifacts/': artifacts } });
  primary = await startFaultServer(join(root, 'registry'), { mounts: { '/artifacts/': artifacts } });
  reg = await buildDemoRegistry({
    dir: join(root, 'registry'),
    examplesDir: artifacts,
    artifactBaseUrl: `${mirror.url}/artifacts`,
    only: ['count-vowels', 'greet'],
  });
  if (SHARDED) await migrateToSharded(reg.registryDir, { keysDir: reg.keysDir, bitLength: 2 });
  const snap = (name: keyof typeof tree) => {
    tree[name] = join(root, name);
    cpSync(reg.registryDir, tree[name], { recursive: true });
  };
  // Each publish changes registry.json, so each tree has its own signed target (not the cached one).
  const republish = async () => {
    const file = join(reg.registryDir, SHARDED ? 'registry-head.json' : 'registry.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { name: string };
    writeFileSync(file, `${JSON.stringify({ ...doc, name: `${doc.name}.` }, null, 2)}\n`);
    return (await publishRegistry(reg.registryDir)).timestampVersion;
  };
  snap('A');
  versions = { B: await republish(), C: 0 };
  snap('B');
  versions.C = await republish();
  snap('C');
  snap('expired');
  await resignTimestamp(tree.expired, { keysDir: reg.keysDir, expires: new Date(Date.now() - 86_400_000) });

  // A home that trusts B and has count-vowels installed; every test starts from a copy of it.
  template = join(root, 'template');
  home = template;
  primary.serve(tree.B);
  mirror.serve(tree.B);
  const c = unhedged();
  await c.addSource({
    alias: 'main',
    url: primary.url,
    mirrors: [mirror.url],
    rootFile: join(reg.registryDir, 'metadata', '1.root.json'),
  });
  // The template's last good mirror must be the primary (the hedging test races it). Unhedged, the mirror is
  // asked only if the primary fails, so the primary serves however slow it is on a busy machine.
  const r = await c.refresh();
  expect(r.failed).toEqual([]);
  expect(r.refreshed[0]?.mirror).toBe(primary.url);
  await c.install('count-vowels');
  // A sharded home holds only the plugin files it fetched: fetch greet's too, so both layouts start alike.
  if (SHARDED) await c.info('greet');
});

afterAll(async () => {
  await primary?.close();
  await mirror?.close();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(async () => {
  home = join(root, `home-${Math.random().toString(36).slice(2)}`);
  cpSync(template, home, { recursive: true });
  for (const s of [primary, mirror]) {
    await s.setFault('ok');
    s.serve(tree.C);
    s.override(`/metadata/${versions.C}.snapshot.json`, undefined);
  }
});

interface Case {
  fault: FaultKind;
  /** The tree both bad mirrors serve (default C, the current one). */
  serve?: keyof typeof tree;
  match?: RegExp;
  mixed?: boolean;
  code: string;
  reason: string | RegExp;
}

const CASES: Case[] = [
  { fault: 'refused', code: 'E_ALL_MIRRORS_FAILED', reason: 'refused' },
  { fault: 'hang', code: 'E_ALL_MIRRORS_FAILED', reason: 'timeout' },
  { fault: 'slow', code: 'E_ALL_MIRRORS_FAILED', reason: 'timeout' },
  { fault: '500', code: 'E_ALL_MIRRORS_FAILED', reason: 'http 5xx' },
  { fault: 'html', code: 'E_ALL_MIRRORS_FAILED', reason: 'not JSON' },
  { fault: 'truncated', code: 'E_ALL_MIRRORS_FAILED', reason: 'not JSON' },
  { fault: 'endless', code: 'E_ALL_MIRRORS_FAILED', reason: 'too large' },
  { fault: 'tampered', match: /^\/targets\//, code: 'E_INDEX_HASH', reason: 'hash' },
  { fault: 'ok', serve: 'A', code: 'E_INDEX_ROLLBACK', reason: 'rollback' },
  { fault: 'ok', serve: 'expired', code: 'E_INDEX_EXPIRED', reason: 'expired' },
  { fault: 'ok', mixed: true, code: 'E_INDEX_HASH', reason: 'hash' },
];
const label = (c: Case) => (c.mixed ? 'mixed snapshot' : c.serve === 'A' ? 'rolled back' : (c.serve ?? c.fault));

async function breakMirror(s: FaultServer, c: Case): Promise<void> {
  s.serve(tree[c.serve ?? 'C']);
  // The snapshot the current timestamp names, swapped for the one before it: a mirror caught mid-sync.
  if (c.mixed)
    s.override(
      `/metadata/${versions.C}.snapshot.json`,
      readFileSync(join(tree.C, 'metadata', `${versions.B}.snapshot.json`)),
    );
  await s.setFault({ kind: c.fault, match: c.match ?? META });
}

describe('a bad mirror: every mirror bad refuses and changes nothing; the primary bad and a mirror good moves on', () => {
  it.each(CASES.map((c) => [label(c), c] as const))('%s', async (_name, c) => {
    const before = state(home);
    const trustBefore = snapshotDir(join(home, 'trust'));
    const lock = readFileSync(join(home, 'wharf.lock.json'));

    // Every mirror bad.
    await breakMirror(primary, c);
    await breakMirror(mirror, c);
    const r = await client().refresh();
    expect(r.refreshed).toEqual([]);
    const f = r.failed[0];
    expect(f?.code).toBe(c.code);
    expect(f?.mirrors?.map((m) => m.mirror).sort()).toEqual([primary.url, mirror.url].sort());
    for (const m of f?.mirrors ?? []) expect(m.reason, m.message).toMatch(c.reason);
    expect(f?.stale_age_ms).toBeGreaterThanOrEqual(0);
    expect(state(home)).toEqual(before);
    expect(snapshotDir(join(home, 'trust'))).toEqual(trustBefore);
    expect(readFileSync(join(home, 'wharf.lock.json'))).toEqual(lock);
    expect(tempLeftovers(home)).toEqual([]);

    // The primary bad, the mirror good: refreshed from the mirror, trust moves forward.
    mirror.serve(tree.C);
    mirror.override(`/metadata/${versions.C}.snapshot.json`, undefined);
    await mirror.setFault('ok');
    const ok = await client().refresh();
    expect(ok.failed).toEqual([]);
    expect(ok.refreshed[0]?.mirror).toBe(mirror.url);
    expect(trustedVersion(home, 'timestamp')).toBe(versions.C);
    expect(trustedVersion(home, 'snapshot')).toBeGreaterThan(versions.B - 1);
    expect(client().sources().sources[0]?.last_good).toBe(mirror.url);
    expect(readFileSync(join(home, 'wharf.lock.json'))).toEqual(lock);
    expect(tempLeftovers(home)).toEqual([]);
  });
});

describe('hedging, last-good order and the cache', () => {
  it('a hanging primary is raced by the mirror after the hedge delay, well before its deadline', async () => {
    await primary.setFault({ kind: 'hang', match: META });
    const n = primary.count();
    // The primary's deadlines lie past this test's timeout, so finishing at all proves the hedge, not the
    // failover, got the mirror going. The hedge is roomy: a healthy mirror on a busy machine is never silent
    // for a second, so the primary is not raced a second time.
    const never = 10 * 60_000;
    const c = new WharfClient({
      home,
      limits: { ...LIMITS, headersTimeoutMs: never, totalTimeoutMs: never },
      hedgeDelayMs: 1_000,
    });
    const r = await c.refresh();
    expect(r.refreshed[0]?.mirror).toBe(mirror.url);
    // After losing one race the primary is not waited on again: one request to it in the whole refresh.
    expect(primary.count() - n).toBe(1);
  });

  it('the last good mirror is asked first, so a healthy run never touches the other', async () => {
    await primary.setFault('refused');
    await unhedged().refresh();
    await primary.setFault('ok');
    const before = primary.count();
    const r = await unhedged().refresh();
    expect(r.refreshed[0]?.mirror).toBe(mirror.url);
    expect(primary.count()).toBe(before);
  });

  it('revalidates with If-None-Match: an unchanged index costs a 304 and a root probe on one connection, nothing else', async () => {
    await unhedged().refresh();
    globalAgent.destroy(); // no connection kept from before: this refresh opens what it uses
    const [np, nm] = [primary.log.length, mirror.log.length];
    const connections = primary.connections + mirror.connections;
    const r = await unhedged().refresh();
    expect(r.failed).toEqual([]);
    const fresh = [...primary.log.slice(np), ...mirror.log.slice(nm)];
    expect(fresh.map((e) => [e.path, e.status])).toEqual([
      [`/metadata/2.root.json`, 404],
      ['/metadata/timestamp.json', 304],
    ]);
    // The 404 is drained before the timestamp is asked for, so that request reuses its connection (over HTTPS, one
    // TCP and TLS handshake instead of two).
    expect(primary.connections + mirror.connections - connections).toBe(1);
  });

  it('an ETag record from disk is trusted for nothing: one naming other bytes, or unfit for a header, costs a full fetch', async () => {
    await unhedged().refresh();
    const file = join(home, 'cache', 'index', 'main.etags.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { etag: string; sha256: string }>;
    const rewrite = (f: (r: { etag: string; sha256: string }) => object) =>
      writeFileSync(file, JSON.stringify(Object.fromEntries(Object.entries(saved).map(([m, r]) => [m, f(r)]))));
    const seen = async () => {
      const [np, nm] = [primary.log.length, mirror.log.length];
      const r = await unhedged().refresh();
      expect(r.failed).toEqual([]);
      const asked = (log: typeof primary.log, who: string) =>
        log.filter((e) => e.path === '/metadata/timestamp.json').map((e) => [who, e.status, e.conditional]);
      return [...asked(primary.log.slice(np), 'primary'), ...asked(mirror.log.slice(nm), 'mirror')];
    };
    // The mirror's real ETag, recorded against other bytes: its 304 does not stand for the trusted timestamp, and
    // the timestamp is asked again, unconditionally (the hash is checked after the request, not before).
    rewrite((r) => ({ ...r, sha256: '0'.repeat(64) }));
    expect(await seen()).toEqual([
      ['primary', 304, true],
      ['primary', 200, false],
    ]);
    // A CR/LF in it would fail the request on the mirror's account (the next one would be asked): dropped instead.
    rewrite((r) => ({ ...r, etag: `${r.etag}\r\nX-Injected: 1` }));
    expect(await seen()).toEqual([['primary', 200, false]]);
    expect(tempLeftovers(home)).toEqual([]);
  });

  it('a no-change refresh moves the cache date in place; a link planted at the meta is replaced, not written through', async () => {
    await unhedged().refresh();
    const meta = join(home, 'cache', 'index', 'main.meta.json');
    const before = JSON.parse(readFileSync(meta, 'utf8'));
    const ino = statSync(meta).ino;
    await new Promise((ok) => setTimeout(ok, 5)); // a later date
    expect((await unhedged().refresh()).failed).toEqual([]);
    const after = JSON.parse(readFileSync(meta, 'utf8'));
    // The same file (no rename, which ext4 flushes), its date moved and nothing else.
    expect(statSync(meta).ino).toBe(ino);
    expect(Date.parse(after.fetchedAt)).toBeGreaterThan(Date.parse(before.fetchedAt));
    expect({ ...after, fetchedAt: '' }).toEqual({ ...before, fetchedAt: '' });
    // A link at the meta's path: the refresh refuses it (the home is checked first) and the target is untouched.
    const outside = join(root, 'outside-meta.json');
    writeFileSync(outside, readFileSync(meta));
    const target = readFileSync(outside);
    rmSync(meta);
    symlinkSync(outside, meta);
    await unhedged()
      .refresh()
      .catch(() => undefined);
    expect(readFileSync(outside)).toEqual(target);
    rmSync(meta);
    writeFileSync(meta, target);
    expect(tempLeftovers(home)).toEqual([]);
  });

  it("a mirror's short 404 that never finishes its body neither stalls the refresh nor keeps the process alive", async () => {
    await unhedged().refresh();
    // The next-root probe's expected 404 is drained, not destroyed (it costs no new connection). With deadlines of
    // ten minutes, only an unref'd socket lets the command end: one that kept the process alive would hang here.
    await primary.setFault({ kind: '404-trickle', match: /\/metadata\/\d+\.root\.json$/ });
    const r = await runCli(WHARF, ['--home', home, '--timeout', '600000', '--json', 'refresh']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).failed).toEqual([]);
    await primary.setFault('ok');
  });

  it('a refresh that finds a change asks for the timestamp and the next root once, not again for the Updater', async () => {
    const [np, nm] = [primary.log.length, mirror.log.length];
    const r = await unhedged().refresh(); // the home trusts B, the mirrors serve C
    expect(r.failed).toEqual([]);
    expect(trustedVersion(home, 'timestamp')).toBe(versions.C);
    const fresh = [...primary.log.slice(np), ...mirror.log.slice(nm)].map((e) => e.path);
    expect(fresh.filter((p) => p === '/metadata/timestamp.json')).toHaveLength(1);
    expect(fresh.filter((p) => p === '/metadata/2.root.json')).toHaveLength(1);
  });

  it('a no-change refresh never vouches for a trusted snapshot the home altered: tuf-js loads it again', async () => {
    await unhedged().refresh();
    const file = join(home, 'trust', 'main', 'metadata', 'snapshot.json');
    const good = readFileSync(file);
    // Still JSON and still the same version: only the hash the trusted timestamp signs tells it apart.
    const altered = JSON.parse(good.toString('utf8'));
    altered.signed.expires = '2099-01-01T00:00:00Z';
    writeFileSync(file, JSON.stringify(altered));
    const [np, nm] = [primary.log.length, mirror.log.length];
    const r = await unhedged().refresh();
    expect(r.failed).toEqual([]);
    const fresh = [...primary.log.slice(np), ...mirror.log.slice(nm)].map((e) => e.path);
    expect(fresh.some((p) => /\/metadata\/\d+\.snapshot\.json$/.test(p))).toBe(true);
    expect(readFileSync(file)).toEqual(good);
    expect(tempLeftovers(home)).toEqual([]);
  });

  it('a no-change refresh answers from the record of its last check while every file that check read is unchanged', async () => {
    await unhedged().refresh();
    const trustDir = join(home, 'trust', 'main');
    const recordFile = join(trustDir, 'verified.json');
    const refreshed = async () => {
      const [np, nm] = [primary.log.length, mirror.log.length];
      const r = await unhedged().refresh();
      expect(r.failed).toEqual([]);
      // Whatever vouches for the trusted set, the mirror is asked the same two things.
      expect([...primary.log.slice(np), ...mirror.log.slice(nm)].map((e) => [e.path, e.status])).toEqual([
        [`/metadata/${trustedVersion(home, 'root') + 1}.root.json`, 404],
        ['/metadata/timestamp.json', 304],
      ]);
      return statSync(recordFile).ino; // written anew (another inode) only by a full check
    };
    // The first no-change refresh checks the whole trusted set, and records what it read.
    const first = await refreshed();
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as { files: Record<string, string>; expires: string };
    expect(Object.keys(record.files)).toEqual(
      expect.arrayContaining(['root.json', 'timestamp.json', 'snapshot.json', 'targets.json']),
    );
    // A sharded home holds plugin files (count-vowels, greet): the bins they fall in were read, and are recorded.
    expect(Object.keys(record.files).some((f) => f.startsWith('bins-'))).toBe(SHARDED);
    // The next one: the record holds, nothing is checked again, nothing rewritten.
    expect(await refreshed()).toBe(first);
    // A trusted file written again, even with the same bytes: the record no longer holds; checked whole, recorded anew.
    const targets = join(trustDir, 'metadata', 'targets.json');
    writeFileSync(targets, readFileSync(targets));
    const second = await refreshed();
    expect(second).not.toBe(first);
    expect(await refreshed()).toBe(second);
    // The cache body put back as a copy (a new inode): the same.
    const body = join(home, 'cache', 'index', 'main.registry.json');
    cpSync(body, `${body}.copy`);
    rmSync(body);
    cpSync(`${body}.copy`, body);
    rmSync(`${body}.copy`);
    const third = await refreshed();
    expect(third).not.toBe(second);
    // A record read back from the home is input: one past its expiry, or unfit, is not used, and is replaced.
    const good = JSON.parse(readFileSync(recordFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(recordFile, JSON.stringify({ ...good, expires: new Date(Date.now() - 1000).toISOString() }));
    // (Compared with the inode the record has before each refresh: the kernel reuses the numbers of freed ones.)
    let ino = statSync(recordFile).ino;
    expect(await refreshed()).not.toBe(ino);
    expect(JSON.parse(readFileSync(recordFile, 'utf8'))).toEqual(good);
    for (const bad of ['{', '[]', JSON.stringify({ ...good, files: { '../x.json': '1:2:3' } })]) {
      writeFileSync(recordFile, bad);
      ino = statSync(recordFile).ino;
      expect(await refreshed()).not.toBe(ino);
      expect(JSON.parse(readFileSync(recordFile, 'utf8'))).toEqual(good);
    }
    // A link planted at its path is refused, and what it points at is neither read as a record nor written.
    const outside = join(root, `outside-record-${Date.now()}.json`);
    writeFileSync(outside, readFileSync(recordFile));
    const target = readFileSync(outside);
    rmSync(recordFile);
    symlinkSync(outside, recordFile);
    const before = state(home);
    const e = await refusalOf(unhedged().refresh());
    expect(e.code).toBe('E_PATH_ESCAPE');
    expect(readFileSync(outside)).toEqual(target);
    expect(state(home)).toEqual(before);
    rmSync(recordFile);
    expect(tempLeftovers(home)).toEqual([]);
  });

  it('a trust record that cannot be written costs only the next check: the refresh still succeeds', async (ctx) => {
    await unhedged().refresh();
    const trustDir = join(home, 'trust', 'main');
    rmSync(join(trustDir, 'verified.json'), { force: true });
    // An immutable directory refuses new files even to root (ext4 and its kin: chattr +i); elsewhere, skipped.
    if (spawnSync('chattr', ['+i', trustDir]).status !== 0) ctx.skip();
    try {
      const r = await unhedged().refresh();
      expect(r.failed).toEqual([]);
    } finally {
      spawnSync('chattr', ['-i', trustDir]);
    }
    expect(existsSync(join(trustDir, 'verified.json'))).toBe(false);
    expect(tempLeftovers(home)).toEqual([]);
    expect((await unhedged().refresh()).failed).toEqual([]);
    expect(existsSync(join(trustDir, 'verified.json'))).toBe(true);
  });

  it('a mirror stuck answering 304 cannot freeze the client past the timestamp expiry', async () => {
    const frozen = join(root, `frozen-${Date.now()}`);
    cpSync(tree.C, frozen, { recursive: true });
    const expires = new Date(Date.now() + 3_600_000);
    await resignTimestamp(frozen, { keysDir: reg.keysDir, expires });
    primary.serve(frozen);
    mirror.serve(frozen);
    const c = unhedged();
    expect((await c.refresh()).failed).toEqual([]);
    // A no-change refresh too, so that the record of its check is there: it holds only until the earliest expiry.
    expect((await c.refresh()).failed).toEqual([]);
    const trust = snapshotDir(join(home, 'trust'));
    const n = primary.log.length;
    // The client's clock passes the expiry (tuf-js reads `new Date()`) without the test waiting for it, and
    // without a window the first refresh must beat on a slow machine. Only Date is faked: timers stay real.
    vi.useFakeTimers({ toFake: ['Date'], now: expires.getTime() + 60_000 });
    const r = await c.refresh().finally(() => vi.useRealTimers());
    expect(primary.log.slice(n)).toContainEqual({ path: '/metadata/timestamp.json', status: 304, conditional: true });
    expect(r.failed[0]?.code).toBe('E_INDEX_EXPIRED');
    expect(snapshotDir(join(home, 'trust'))).toEqual(trust);
  });

  it('with every mirror down, search and info answer from the last verified copy labelled stale; install refuses what is not downloaded', async () => {
    await primary.setFault('refused');
    await mirror.setFault({ kind: '503', match: META });
    const c = client();
    const r = await c.refresh();
    expect(r.failed[0]?.code).toBe('E_ALL_MIRRORS_FAILED');
    const before = state(home);
    const cat = await c.catalog();
    expect(cat.stale.map((s) => s.alias)).toEqual(['main']);
    expect((await c.search('vowels'))[0]?.plugin_id).toBe('count-vowels');
    expect((await c.info('greet')).plugin.plugin_id).toBe('greet');
    expect(c.list().map((e) => e.id)).toEqual(['count-vowels']);
    const e = await refusalOf(c.install('greet'));
    expect(e.code).toBe('E_INDEX_STALE');
    expect(state(home)).toEqual(before);
    expect(tempLeftovers(home)).toEqual([]);
    // Already downloaded bytes are still installable from a stale index.
    c.uninstall('count-vowels');
    expect((await c.install('count-vowels')).fromCache).toBe(true);

    // The CLI says so too, on stderr, and info --json carries it.
    const out = await runCli(WHARF, ['--home', home, 'search', 'vowels']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/source main is stale/);
    const info = await runCli(WHARF, ['--home', home, '--json', 'info', 'greet']);
    expect((JSON.parse(info.stdout) as { stale?: { alias: string } }).stale?.alias).toBe('main');
  });

  it('a second install of the same bytes costs no download', async () => {
    const c = client();
    await c.refresh();
    const art = /^\/artifacts\/greet\//;
    await c.install('greet');
    expect(mirror.count(art)).toBe(1);
    c.uninstall('greet');
    const again = await c.install('greet');
    expect(again.fromCache).toBe(true);
    expect(mirror.count(art)).toBe(1);
  });

  it('source test reports each mirror with its latency and health, and changes nothing', async () => {
    await primary.setFault({ kind: 'html', match: META });
    const before = state(home);
    const [s] = await client().testSources();
    expect(s?.mirrors.map((m) => [m.mirror, m.ok, m.reason])).toEqual([
      [primary.url, false, 'not JSON'],
      [mirror.url, true, undefined],
    ]);
    for (const m of s?.mirrors ?? []) expect(m.latency_ms).toBeGreaterThanOrEqual(0);
    expect(state(home)).toEqual(before);
    const cli = await runCli(WHARF, ['--home', home, 'source', 'test']);
    expect(cli.stdout).toMatch(/FAIL .* not JSON/);
    expect(cli.stdout).toMatch(/ok .*targets v\d+/);
    expect(tempLeftovers(home)).toEqual([]);
  });
});

describe('the request watchdog', () => {
  it('1 byte/s trips the minimum-throughput floor, an endless body the size cap or the total deadline', async () => {
    await primary.setFault('slow');
    const drain = async (url: string, limits: FetchLimits, maxBytes?: number) => {
      for await (const _ of fetchChunks(url, limits, { maxBytes })) {
      }
    };
    const url = `${primary.url}/metadata/1.root.json`;
    await expect(drain(url, LIMITS)).rejects.toMatchObject({ reason: 'timeout', message: /too slow/ });
    await primary.setFault('endless');
    await expect(drain(url, LIMITS, 1 << 20)).rejects.toMatchObject({ reason: 'too large' });
    await expect(drain(url, { ...LIMITS, totalTimeoutMs: 300 })).rejects.toMatchObject({ reason: 'timeout' });
  });
});
