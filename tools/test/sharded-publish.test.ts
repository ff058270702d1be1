// The sharded layout end to end: init → add (monolithic) → `shard` → serve → a real tuf-js Updater that trusted
// the monolithic index follows the new delegations, fetches one bin and one plugin file, and refuses tampering.
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LengthOrHashMismatchError } from '@tufjs/models/dist/error.js';
import type { Registry, RegistryPlugin } from '@wharf/schemas';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Updater } from 'tuf-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotDir } from '../../test/helpers/snapshot-dir.js';
import {
  addDays,
  addReleaseFromFiles,
  initRegistry,
  publishRegistry,
  type StaticServer,
  startStaticServer,
} from '../src/index.js';
import { migrateToSharded } from '../src/registry/sharded-store.js';
import { binOf, readShardedState } from '../src/tuf/sharded-layout.js';
import { publishShardedPlugins } from '../src/tuf/sharded-publish.js';
import { type MinisignKey, minisignKey, runMain, signedRelease, tempDir, tempFiles } from './fixtures.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let server: StaticServer | undefined;
let reg: string;
let author: MinisignKey;

beforeEach(async () => {
  tmp = await tempDir();
  reg = join(tmp.path, 'registry');
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await tmp.cleanup();
});

/** The sharded registry.json against schemas/json/summary.schema.json, with the shared defs it references. */
async function summaryProblems(file: string): Promise<unknown[]> {
  const dir = join(import.meta.dirname, '..', '..', 'schemas', 'json');
  const schemas = await Promise.all(
    (await readdir(dir))
      .filter((f) => f.endsWith('.schema.json'))
      .map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'))),
  );
  const ajv = new Ajv({ strict: true, allErrors: true, schemas });
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
    a: Ajv,
  ) => Ajv;
  addFormats(ajv);
  const validate = ajv.getSchema('https://wharf.dev/schemas/summary.schema.json');
  if (!validate) throw new Error('summary schema not registered');
  validate(JSON.parse(await readFile(file, 'utf8')));
  return validate.errors ?? [];
}

/** A tuf-js Updater whose fetcher records every URL it asked for. */
function updaterFor(metadataDir: string, targetDir: string, url: string, seen: string[]): Updater {
  const updater = new Updater({
    metadataDir,
    targetDir,
    metadataBaseUrl: `${url}/metadata`,
    targetBaseUrl: `${url}/targets`,
    config: { fetchRetries: 0 },
  });
  // tuf-js's default fetcher, wrapped: the URLs show which bins and plugin files a command needed.
  const fetcher = (updater as unknown as { fetcher: { fetch(u: string): Promise<unknown> } }).fetcher;
  const inner = fetcher.fetch.bind(fetcher);
  fetcher.fetch = (u: string) => {
    seen.push(u.slice(url.length));
    return inner(u);
  };
  return updater;
}

async function newClient(name: string, url: string, seen: string[] = []) {
  const metadataDir = join(tmp.path, `${name}-meta`);
  const targetDir = join(tmp.path, `${name}-targets`);
  await mkdir(metadataDir, { recursive: true });
  await mkdir(targetDir, { recursive: true });
  await copyFile(join(reg, 'metadata', '1.root.json'), join(metadataDir, 'root.json'));
  return { metadataDir, targetDir, seen, updater: () => updaterFor(metadataDir, targetDir, url, seen) };
}

async function fetchPlugin(updater: Updater, id: string): Promise<RegistryPlugin | undefined> {
  await updater.refresh();
  const info = await updater.getTargetInfo(`plugins/${id}.json`);
  if (!info) return undefined;
  return JSON.parse(await readFile(await updater.downloadTarget(info), 'utf8')) as RegistryPlugin;
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** A monolithic registry with `n` plugins (ids p0…), each with one signed release. */
async function registryWith(n: number): Promise<string[]> {
  await initRegistry(reg);
  author = await minisignKey(tmp.path);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `plugin-${i}`;
    const rel = await signedRelease(tmp.path, author, { manifest: { id, name: `Plugin ${i}` } });
    await addReleaseFromFiles(reg, {
      manifestPath: rel.manifestPath,
      wasmPath: rel.wasmPath,
      sigPath: rel.sigPath,
      urls: [`https://example.org/${id}.wasm`],
    });
    ids.push(id);
  }
  await publishRegistry(reg);
  return ids;
}

describe('wharf-admin shard (migration)', () => {
  it('a client that trusted the monolithic index follows the delegations, signed by the same root', async () => {
    const ids = await registryWith(6);
    server = await startStaticServer(reg);
    const c = await newClient('c', server.url);
    const u1 = c.updater();
    await u1.refresh();
    expect(await u1.getTargetInfo('registry.json')).toBeDefined();
    const monolithic = JSON.parse(await readFile(join(reg, 'registry.json'), 'utf8')) as Registry;

    const cli = await runMain(['shard', reg, '--bits', '3']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/Sharded 6 plugins into 8 bins/);
    // the root did not change: no 2.root.json
    expect((await readdir(join(reg, 'metadata'))).filter((f) => f.endsWith('.root.json'))).toEqual(['1.root.json']);

    c.seen.length = 0;
    const u2 = c.updater();
    const got = await fetchPlugin(u2, 'plugin-3');
    expect(got).toEqual(monolithic.plugins.find((p) => p.plugin_id === 'plugin-3'));
    // Only the timestamp, snapshot, targets, the one bin and the one plugin file: nothing else was fetched.
    const state = await readShardedState(reg);
    const bin = binOf(state?.roles as NonNullable<typeof state>['roles'], 'plugin-3');
    expect(c.seen.filter((u) => u.includes('bins-'))).toEqual([expect.stringMatching(new RegExp(`\\.${bin}\\.json$`))]);
    expect(c.seen.filter((u) => u.startsWith('/targets/'))).toEqual([
      expect.stringMatching(/^\/targets\/plugins\/[0-9a-f]{64}\.plugin-3\.json$/),
    ]);
    expect(await u2.getTargetInfo('registry.json')).toBeUndefined();
    // registry.json is now the summary, one entry a plugin, pointing at the signed files
    const summary = JSON.parse(await readFile(join(reg, 'registry.json'), 'utf8')) as {
      layout: { kind: string };
      plugins: { plugin_id: string; file: string }[];
    };
    expect(summary.layout.kind).toBe('sharded');
    expect(summary.plugins.map((p) => p.plugin_id)).toEqual(ids);
    expect(await summaryProblems(join(reg, 'registry.json'))).toEqual([]);
    expect(summary.plugins[0]?.file).toBe('plugins/plugin-0.json');
  });

  it('refuses to shard twice (E_USAGE) and leaves the registry byte-identical', async () => {
    await registryWith(2);
    await migrateToSharded(reg, { bitLength: 2 });
    const before = snapshotDir(tmp.path);
    await expect(migrateToSharded(reg)).rejects.toMatchObject({ code: 'E_USAGE' });
    expect(snapshotDir(tmp.path)).toEqual(before);
  });
});

describe('publishing one plugin in a sharded registry', () => {
  it('changes only that plugin file, its bin, the snapshot and the timestamp; clients see the release', async () => {
    await registryWith(5);
    await migrateToSharded(reg, { bitLength: 3 });
    server = await startStaticServer(reg);
    const c = await newClient('c', server.url);
    expect((await fetchPlugin(c.updater(), 'plugin-1'))?.versions.latest).toBe('1.0.0');

    // a new version of plugin-1 by its pinned key
    const rel = await signedRelease(tmp.path, author, {
      manifest: { id: 'plugin-1', name: 'Plugin 1', version: '1.1.0' },
      variant: 1,
    });
    const before = snapshotDir(reg);
    const out = await addReleaseFromFiles(reg, {
      manifestPath: rel.manifestPath,
      wasmPath: rel.wasmPath,
      sigPath: rel.sigPath,
      urls: ['https://example.org/plugin-1-1.1.0.wasm'],
    });
    // The plugin's bin, and the search manifest's (the same one or another).
    const bins = out.published?.bins ?? [];
    expect(bins).toContain(binOf((await readShardedState(reg))?.roles as never, 'plugin-1'));
    expect(bins.length).toBeLessThanOrEqual(2);
    const after = snapshotDir(reg);
    const changed = Object.keys(after).filter((k) => before[k] !== after[k]);
    const kind = (k: string) =>
      k
        .replace(/^metadata\/\d+\./, 'metadata/N.')
        .replace(/[0-9a-f]{64}/, 'SHA')
        .replace(/^search\/([tdi])\/[0-9a-f]{20}\.json$/, 'search/$1/CHUNK')
        .replace(/bins-[0-9a-f]+/, 'BIN');
    // A new version changes the plugin's doc chunk; its word chunks and id bucket only when its words changed.
    const optional = ['search/t/CHUNK', 'search/i/CHUNK'];
    expect([...new Set(changed.map(kind))].filter((k) => !optional.includes(k)).sort()).toEqual(
      [
        'metadata/timestamp.json',
        'metadata/N.timestamp.json',
        'metadata/N.snapshot.json',
        'metadata/N.BIN.json',
        'plugins/plugin-1.json',
        'targets/plugins/SHA.plugin-1.json',
        // the search index: its signed manifest and the doc chunk that changed
        'search/manifest.json',
        'targets/search/SHA.manifest.json',
        'search/d/CHUNK',
        // the unsigned summary: that plugin's line only
        'registry.json',
      ].sort(),
    );
    expect(await tempFiles(reg)).toEqual([]);
    const summary = JSON.parse(await readFile(join(reg, 'registry.json'), 'utf8')) as {
      plugins: { plugin_id: string; latest: string }[];
    };
    expect(summary.plugins.map((p) => [p.plugin_id, p.latest])).toEqual([
      ['plugin-0', '1.0.0'],
      ['plugin-1', '1.1.0'],
      ['plugin-2', '1.0.0'],
      ['plugin-3', '1.0.0'],
      ['plugin-4', '1.0.0'],
    ]);

    c.seen.length = 0;
    const got = await fetchPlugin(c.updater(), 'plugin-1');
    expect(got?.versions.latest).toBe('1.1.0');
    expect(got?.releases.map((r) => r.version)).toEqual(['1.0.0', '1.1.0']);
    // the unchanged top-level targets was not fetched again
    expect(c.seen.some((u) => u.includes('.targets.json'))).toBe(false);
  });

  it('a refused add (E_VERSION_IMMUTABLE) leaves the sharded registry byte-identical', async () => {
    await registryWith(2);
    await migrateToSharded(reg, { bitLength: 2 });
    const rel = await signedRelease(tmp.path, author, {
      manifest: { id: 'plugin-0', name: 'Plugin 0' },
      variant: 7,
    });
    const before = snapshotDir(tmp.path);
    await expect(
      addReleaseFromFiles(reg, {
        manifestPath: rel.manifestPath,
        wasmPath: rel.wasmPath,
        sigPath: rel.sigPath,
        urls: ['https://example.org/x.wasm'],
      }),
    ).rejects.toMatchObject({ code: 'E_VERSION_IMMUTABLE' });
    // signedRelease wrote its own files before; everything else is as it was
    expect(snapshotDir(tmp.path)).toEqual(before);
    expect(await tempFiles(reg)).toEqual([]);
  });
});

describe('maintenance on a sharded registry', () => {
  it('wharf-admin yank signs at once; a new plugin joins the summary in id order', async () => {
    await registryWith(3);
    await migrateToSharded(reg, { bitLength: 2 });
    const y = await runMain(['yank', 'plugin-1@1.0.0', '--reason', 'broken', '--registry', reg]);
    expect(y.code, y.stderr).toBe(0);
    expect(y.stdout).toMatch(/Signed: snapshot v\d+/);
    server = await startStaticServer(reg);
    const c = await newClient('y', server.url);
    expect((await fetchPlugin(c.updater(), 'plugin-1'))?.releases[0]?.yanked).toBe(true);

    const rel = await signedRelease(tmp.path, author, { manifest: { id: 'aaa-first', name: 'First' } });
    await addReleaseFromFiles(reg, {
      manifestPath: rel.manifestPath,
      wasmPath: rel.wasmPath,
      sigPath: rel.sigPath,
      urls: ['https://example.org/first.wasm'],
    });
    const summary = JSON.parse(await readFile(join(reg, 'registry.json'), 'utf8')) as {
      plugins: { plugin_id: string }[];
    };
    expect(summary.plugins.map((p) => p.plugin_id)).toEqual(['aaa-first', 'plugin-0', 'plugin-1', 'plugin-2']);
    expect(await summaryProblems(join(reg, 'registry.json'))).toEqual([]);
    expect((await fetchPlugin(c.updater(), 'aaa-first'))?.name).toBe('First');
  });
});

describe('attacks on the sharded index (the same tuf-js checks, file by file)', () => {
  it('a tampered plugin file → LengthOrHashMismatchError', async () => {
    await registryWith(3);
    await migrateToSharded(reg, { bitLength: 2 });
    const dir = join(reg, 'targets', 'plugins');
    const blob = (await readdir(dir)).find((f) => f.endsWith('.plugin-2.json')) as string;
    const bytes = await readFile(join(dir, blob));
    await writeFile(join(dir, blob), Buffer.from(bytes.toString().replace('Plugin 2', 'Plugin X')));
    server = await startStaticServer(reg);
    const c = await newClient('t', server.url);
    expect(await caught(fetchPlugin(c.updater(), 'plugin-2'))).toBeInstanceOf(LengthOrHashMismatchError);
  });

  it('a rolled-back bin (an older signed version served under the new name) is refused', async () => {
    await registryWith(2);
    await migrateToSharded(reg, { bitLength: 1 });
    const rel = await signedRelease(tmp.path, author, {
      manifest: { id: 'plugin-0', name: 'Plugin 0', version: '2.0.0' },
      variant: 2,
    });
    const r = await addReleaseFromFiles(reg, {
      manifestPath: rel.manifestPath,
      wasmPath: rel.wasmPath,
      sigPath: rel.sigPath,
      urls: ['https://example.org/p0-2.wasm'],
    });
    const bin = r.published?.bins[0] as string;
    const meta = join(reg, 'metadata');
    await copyFile(join(meta, `1.${bin}.json`), join(meta, `2.${bin}.json`));
    server = await startStaticServer(reg);
    const c = await newClient('rb', server.url);
    const err = await caught(fetchPlugin(c.updater(), 'plugin-0'));
    expect((err as Error).message).toMatch(/Version 1 of bins-\w+ does not match snapshot version 2/);
  });

  it('an expired bin is refused (freeze)', async () => {
    await registryWith(2);
    await migrateToSharded(reg, { bitLength: 1 });
    await publishShardedPlugins(reg, ['plugin-1'], { expires: { targets: addDays(new Date(), -1) } });
    server = await startStaticServer(reg);
    const c = await newClient('fz', server.url);
    const err = await caught(fetchPlugin(c.updater(), 'plugin-1'));
    expect((err as Error).message).toMatch(/bins-\w+\.json is expired/);
  });

  it('a bin signed by a key the targets role does not delegate to is refused', async () => {
    await registryWith(2);
    await migrateToSharded(reg, { bitLength: 1 });
    const keys = join(tmp.path, 'registry.keys');
    // swap in a different bins key: publishShardedPlugins refuses to sign with it
    await writeFile(join(keys, 'bins.pem'), (await readFile(join(keys, 'targets.pem'))).toString());
    await expect(publishShardedPlugins(reg, ['plugin-1'])).rejects.toMatchObject({ code: 'E_INDEX_SIGNATURE' });
  });
});
