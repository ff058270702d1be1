// init → add → publish → serve → a real tuf-js Updater, plus the index attacks the client must map to E_INDEX_*.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LengthOrHashMismatchError, UnsignedMetadataError } from '@tufjs/models/dist/error.js';
import type { Registry } from '@wharf/schemas';
import { Updater } from 'tuf-js';
import { BadVersionError, ExpiredMetadataError, RuntimeError } from 'tuf-js/dist/error.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateDocument } from '../src/contract/schemas.js';
import {
  addDays,
  addReleaseFromFiles,
  defaultKeysDir,
  initRegistry,
  publishRegistry,
  resignTimestamp,
  type StaticServer,
  startStaticServer,
} from '../src/index.js';
import { canonicalize } from '../src/tuf/canonical-json.js';
import { minisignKey, signedRelease, tempDir } from './fixtures.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let server: StaticServer | undefined;
let reg: string;

beforeEach(async () => {
  tmp = await tempDir();
  reg = join(tmp.path, 'registry');
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await tmp.cleanup();
});

/** One client: a trusted-metadata dir seeded with 1.root.json, as `wharf source add --root-file` would do. */
async function client(
  name: string,
  url: string,
): Promise<{ updater: Updater; metadataDir: string; targetDir: string }> {
  const metadataDir = join(tmp.path, `${name}-meta`);
  const targetDir = join(tmp.path, `${name}-targets`);
  await mkdir(metadataDir, { recursive: true });
  await mkdir(targetDir, { recursive: true });
  await copyFile(join(reg, 'metadata', '1.root.json'), join(metadataDir, 'root.json'));
  return { updater: newUpdater(metadataDir, targetDir, url), metadataDir, targetDir };
}

function newUpdater(metadataDir: string, targetDir: string, url: string): Updater {
  return new Updater({
    metadataDir,
    targetDir,
    metadataBaseUrl: `${url}/metadata`,
    targetBaseUrl: `${url}/targets`,
    config: { fetchRetries: 0 },
  });
}

async function fetchRegistry(updater: Updater): Promise<Registry> {
  await updater.refresh();
  const info = await updater.getTargetInfo('registry.json');
  if (!info) throw new Error('registry.json is not a target');
  const path = await updater.downloadTarget(info);
  return JSON.parse(await readFile(path, 'utf8')) as Registry;
}

async function trustedVersion(metadataDir: string, role: string): Promise<number> {
  const md = JSON.parse(await readFile(join(metadataDir, `${role}.json`), 'utf8')) as { signed: { version: number } };
  return md.signed.version;
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('registry init', () => {
  it('writes registry.json, a consistent-snapshot root and 0600 keys outside the tree, and publishes once', async () => {
    const r = await initRegistry(reg, { name: 'Test registry' });
    expect(r.keysDir).toBe(defaultKeysDir(reg));
    expect(r.keysDir).toBe(join(tmp.path, 'registry.keys'));

    const registry = JSON.parse(await readFile(join(reg, 'registry.json'), 'utf8')) as Registry;
    expect(registry.schema_version).toBe(1);
    expect(registry.name).toBe('Test registry');
    expect(registry.plugins).toEqual([]);
    expect(registry.categories.map((c) => c.id)).toEqual([
      'ai_platform',
      'automation',
      'integration',
      'utility',
      'entertainment',
    ]);
    for (const c of registry.categories) expect(c.name && c.name_zh && c.description && c.icon).toBeTruthy();

    const rootBytes = await readFile(join(reg, 'metadata', '1.root.json'));
    expect(r.rootSha256).toBe(createHash('sha256').update(rootBytes).digest('hex'));
    const root = JSON.parse(rootBytes.toString()) as {
      signed: {
        consistent_snapshot: boolean;
        expires: string;
        keys: Record<string, { keytype: string; scheme: string; keyval: { public: string } }>;
        roles: Record<string, { keyids: string[]; threshold: number }>;
      };
    };
    expect(root.signed.consistent_snapshot).toBe(true);
    for (const role of ['root', 'targets', 'snapshot', 'timestamp']) {
      expect(root.signed.roles[role]?.threshold).toBe(1);
      expect(root.signed.roles[role]?.keyids).toHaveLength(1);
    }
    // keyid = sha256(canonical JSON of the key object), per the TUF spec.
    for (const [keyid, key] of Object.entries(root.signed.keys)) {
      expect(key.keytype).toBe('ed25519');
      expect(key.keyval.public).toMatch(/^[0-9a-f]{64}$/);
      expect(createHash('sha256').update(canonicalize(key)).digest('hex')).toBe(keyid);
    }
    const days = (Date.parse(root.signed.expires) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364);

    for (const role of ['root', 'targets', 'snapshot', 'timestamp']) {
      expect((await stat(join(r.keysDir, `${role}.pem`))).mode & 0o777).toBe(0o600);
    }
    expect(r.publish.targetsVersion).toBe(1);
    await stat(join(reg, 'targets', `${r.publish.registrySha256}.registry.json`));
    await stat(join(reg, 'metadata', 'timestamp.json'));
  });

  it('refuses a non-empty registry dir and a keys dir inside the registry', async () => {
    await initRegistry(reg);
    await expect(initRegistry(reg, { keysDir: join(tmp.path, 'other.keys') })).rejects.toMatchObject({ code: 'E_IO' });
    await expect(initRegistry(join(tmp.path, 'r2'), { keysDir: join(tmp.path, 'r2', 'keys') })).rejects.toMatchObject({
      code: 'E_USAGE',
    });
  });
});

describe('publish → serve → tuf-js Updater', () => {
  it('a real Updater verifies and downloads the registry with the added plugin', async () => {
    await initRegistry(reg);
    const author = await minisignKey(tmp.path);
    const rel = await signedRelease(tmp.path, author);
    server = await startStaticServer(reg);
    await addReleaseFromFiles(reg, {
      manifestPath: rel.manifestPath,
      wasmPath: rel.wasmPath,
      sigPath: rel.sigPath,
      urls: [`${server.url}/artifacts/plugin.wasm`],
    });
    const published = await publishRegistry(reg);
    expect(published.targetsVersion).toBe(2);

    const { updater, metadataDir } = await client('c1', server.url);
    const registry = await fetchRegistry(updater);
    const plugin = registry.plugins.find((p) => p.plugin_id === 'hello-wharf');
    expect(plugin?.releases[0]?.artifact.sha256).toBe(rel.sha256);
    expect(plugin?.versions.latest).toBe('1.0.0');
    // the entry `add` builds satisfies the registry schema
    expect(validateDocument(registry)).toEqual({ kind: 'registry', problems: [] });
    expect(await trustedVersion(metadataDir, 'targets')).toBe(2);
    // the served registry.json beside metadata/ is the same bytes as the signed target
    expect(await readFile(join(reg, 'registry.json'), 'utf8')).toBe(`${JSON.stringify(registry, null, 2)}\n`);
  });

  it('publishing twice moves the client to the newer targets version; resign-timestamp keeps it valid', async () => {
    await initRegistry(reg);
    server = await startStaticServer(reg);
    const { updater, metadataDir, targetDir } = await client('c2', server.url);
    await fetchRegistry(updater);
    expect(await trustedVersion(metadataDir, 'targets')).toBe(1);

    await publishRegistry(reg);
    await publishRegistry(reg);
    await fetchRegistry(newUpdater(metadataDir, targetDir, server.url));
    expect(await trustedVersion(metadataDir, 'targets')).toBe(3);
    expect(await trustedVersion(metadataDir, 'snapshot')).toBe(3);

    const before = await trustedVersion(metadataDir, 'timestamp');
    const r = await resignTimestamp(reg);
    expect(r.timestampVersion).toBe(before + 1);
    expect(r.snapshotVersion).toBe(3);
    expect((Date.parse(r.expires) - Date.now()) / 86_400_000).toBeGreaterThan(6.9);
    await fetchRegistry(newUpdater(metadataDir, targetDir, server.url));
    expect(await trustedVersion(metadataDir, 'timestamp')).toBe(before + 1);
    // old versions stay for clients mid-update
    await stat(join(reg, 'metadata', '1.targets.json'));
  });
});

describe('index attacks (tuf-js error classes the client maps to E_INDEX_*)', () => {
  it('expired timestamp → ExpiredMetadataError (E_INDEX_EXPIRED)', async () => {
    await initRegistry(reg);
    const past = addDays(new Date(), -1);
    await publishRegistry(reg, { expires: { timestamp: past } });
    server = await startStaticServer(reg);
    const { updater } = await client('exp', server.url);
    const err = await caught(updater.refresh());
    expect(err).toBeInstanceOf(ExpiredMetadataError);
    expect((err as Error).message).toMatch(/timestamp\.json is expired/);
  });

  it('expired snapshot → RuntimeError whose message names the expiry (tuf-js wraps snapshot/targets errors)', async () => {
    await initRegistry(reg);
    await publishRegistry(reg, { expires: { snapshot: addDays(new Date(), -1) } });
    server = await startStaticServer(reg);
    const { updater } = await client('exps', server.url);
    const err = await caught(updater.refresh());
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/Unable to load snapshot metadata.*snapshot\.json is expired/);
  });

  it('rolled-back timestamp → BadVersionError (E_INDEX_ROLLBACK)', async () => {
    await initRegistry(reg);
    await publishRegistry(reg); // timestamp v2
    const v2 = await readFile(join(reg, 'metadata', 'timestamp.json'));
    await publishRegistry(reg); // timestamp v3
    server = await startStaticServer(reg);
    const { updater, metadataDir, targetDir } = await client('rb', server.url);
    await fetchRegistry(updater);
    expect(await trustedVersion(metadataDir, 'timestamp')).toBe(3);
    await writeFile(join(reg, 'metadata', 'timestamp.json'), v2); // a frozen/stale mirror
    const err = await caught(newUpdater(metadataDir, targetDir, server.url).refresh());
    expect(err).toBeInstanceOf(BadVersionError);
    expect((err as Error).message).toMatch(/less than current version/);
  });

  it('tampered target blob → LengthOrHashMismatchError (E_INDEX_HASH)', async () => {
    await initRegistry(reg);
    const p = await publishRegistry(reg);
    const blob = join(reg, 'targets', `${p.registrySha256}.registry.json`);
    const bytes = await readFile(blob);
    bytes[bytes.length - 3] = 0x20; // same length, different hash
    await writeFile(blob, bytes);
    server = await startStaticServer(reg);
    const { updater } = await client('hash', server.url);
    await updater.refresh();
    const info = await updater.getTargetInfo('registry.json');
    if (!info) throw new Error('no target');
    const err = await caught(updater.downloadTarget(info));
    expect(err).toBeInstanceOf(LengthOrHashMismatchError);
  });

  it('timestamp edited without re-signing → UnsignedMetadataError (E_INDEX_SIGNATURE)', async () => {
    await initRegistry(reg);
    const path = join(reg, 'metadata', 'timestamp.json');
    const md = JSON.parse(await readFile(path, 'utf8')) as { signed: { version: number } };
    md.signed.version += 10;
    await writeFile(path, JSON.stringify(md));
    server = await startStaticServer(reg);
    const { updater } = await client('sig', server.url);
    const err = await caught(updater.refresh());
    expect(err).toBeInstanceOf(UnsignedMetadataError);
  });

  it('swapped snapshot bytes → RuntimeError wrapping the hash mismatch (snapshot/targets errors are wrapped)', async () => {
    await initRegistry(reg);
    await publishRegistry(reg); // snapshot v2 pinned by timestamp v2 (length + sha256)
    const snap = join(reg, 'metadata', '2.snapshot.json');
    const md = JSON.parse(await readFile(snap, 'utf8')) as Record<string, unknown>;
    await writeFile(snap, JSON.stringify(md)); // same content, different bytes: hash no longer matches
    server = await startStaticServer(reg);
    const { updater } = await client('mix', server.url);
    const err = await caught(updater.refresh());
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/Unable to load snapshot metadata/);
    expect((err as Error).message).toMatch(/Expected (length|hash)/);
  });

  it('publish refuses to sign an invalid registry.json and leaves the metadata as it was', async () => {
    await initRegistry(reg);
    const before = await readFile(join(reg, 'metadata', 'timestamp.json'));
    await writeFile(join(reg, 'registry.json'), JSON.stringify({ schema_version: 1, plugins: [{ plugin_id: 'x' }] }));
    await expect(publishRegistry(reg)).rejects.toMatchObject({ code: 'E_SCHEMA' });
    expect((await readFile(join(reg, 'metadata', 'timestamp.json'))).equals(before)).toBe(true);
    await expect(stat(join(reg, 'metadata', '2.targets.json'))).rejects.toThrow();
  });

  it('publish refuses keys the root does not trust', async () => {
    await initRegistry(reg);
    const other = join(tmp.path, 'other');
    await initRegistry(other);
    await expect(publishRegistry(reg, { keysDir: defaultKeysDir(other) })).rejects.toMatchObject({
      code: 'E_INDEX_SIGNATURE',
    });
  });
});
