// `wharf-admin add`: every refusal leaves registry.json byte-identical and no temp file behind.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from '@wharf/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addRelease, addReleaseFromFiles, compareVersions, initRegistry, summarizeVersions } from '../src/index.js';
import {
  type MinisignKey,
  manifest,
  minisignKey,
  type SignedRelease,
  signedRelease,
  tempDir,
  tempFiles,
} from './fixtures.js';

const URL = 'http://127.0.0.1:9/artifacts/plugin.wasm';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let reg: string;
let author: MinisignKey;

beforeEach(async () => {
  tmp = await tempDir();
  reg = join(tmp.path, 'registry');
  await initRegistry(reg);
  author = await minisignKey(tmp.path);
});

afterEach(async () => {
  await tmp.cleanup();
});

function add(rel: SignedRelease, urls = [URL]) {
  return addReleaseFromFiles(reg, {
    manifestPath: rel.manifestPath,
    wasmPath: rel.wasmPath,
    sigPath: rel.sigPath,
    urls,
  });
}

async function registryBytes(): Promise<Buffer> {
  return readFile(join(reg, 'registry.json'));
}

/** Runs `attempt`, expects the code, and checks registry.json is byte-identical and no temp file remains. */
async function expectRefusal(attempt: () => Promise<unknown>, code: string): Promise<void> {
  const before = await registryBytes();
  await expect(attempt()).rejects.toMatchObject({ code });
  expect((await registryBytes()).equals(before)).toBe(true);
  expect(await tempFiles(tmp.path)).toEqual([]);
}

describe('add', () => {
  it('creates a complete plugin entry with the pinned key and an immutable release', async () => {
    const rel = await signedRelease(tmp.path, author);
    const out = await add(rel);
    expect(out.changed).toBe(true);
    const registry = JSON.parse((await registryBytes()).toString()) as Registry;
    const p = registry.plugins[0];
    expect(p).toMatchObject({
      plugin_id: 'hello-wharf',
      name: 'Hello Wharf',
      short_description: 'Greets people.',
      category: 'utility',
      license: 'MIT',
      status: 'active',
      verified: false,
      featured: false,
      stats: { downloads: 0, stars: 0 },
      versions: { latest: '1.0.0', stable: '1.0.0', minimum_supported: '1.0.0' },
      repository: {
        primary: {
          url: 'https://github.com/tester/hello-wharf',
          api_url: 'https://api.github.com/repos/tester/hello-wharf',
          releases_url: 'https://api.github.com/repos/tester/hello-wharf/releases',
        },
      },
    });
    expect(p?.keys).toHaveLength(1);
    expect(p?.keys[0]).toMatchObject({ public_key: author.publicKey, status: 'active' });
    expect(p?.keys[0]?.keyid).toMatch(/^[0-9a-f]{16}$/);
    const r = p?.releases[0];
    expect(r).toMatchObject({
      version: '1.0.0',
      tag: 'v1.0.0',
      artifact: { name: 'plugin.wasm', size: rel.wasm.length, sha256: rel.sha256, urls: [URL] },
      keyid: p?.keys[0]?.keyid,
      yanked: false,
      exports: [{ name: 'greet', description: 'Says hello' }],
      compatibility: { host: '>=0.1.0', extism_abi: '1' },
    });
    expect(r?.minisig).toBe(await readFile(rel.sigPath, 'utf8'));
    expect(await tempFiles(tmp.path)).toEqual([]);
  });

  it('same version + same bytes is a no-op (registry.json untouched)', async () => {
    const rel = await signedRelease(tmp.path, author);
    await add(rel);
    const before = await registryBytes();
    const again = await add(rel);
    expect(again.changed).toBe(false);
    expect((await registryBytes()).equals(before)).toBe(true);
  });

  it('same version with a different wasm → E_VERSION_IMMUTABLE', async () => {
    await add(await signedRelease(tmp.path, author));
    const changed = await signedRelease(tmp.path, author, { variant: 7 }); // validly signed, different hash
    await expectRefusal(() => add(changed), 'E_VERSION_IMMUTABLE');
  });

  it('a new version signed by another key → E_KEY_CHANGED', async () => {
    await add(await signedRelease(tmp.path, author));
    const mallory = await minisignKey(tmp.path, 'mallory');
    const rel = await signedRelease(tmp.path, mallory, { manifest: { version: '1.1.0' }, variant: 2 });
    await expectRefusal(() => add(rel), 'E_KEY_CHANGED');
  });

  it('a signature bound to another plugin → E_SIG_BINDING; a flipped wasm byte → E_SIG_INVALID', async () => {
    const swapped = await signedRelease(tmp.path, author, { bind: { id: 'other-plugin' } });
    await expectRefusal(() => add(swapped), 'E_SIG_BINDING');
    const rel = await signedRelease(tmp.path, author, { variant: 3 });
    const { writeFile } = await import('node:fs/promises');
    const flipped = new Uint8Array(rel.wasm);
    flipped[flipped.length - 1] = 4;
    await writeFile(rel.wasmPath, flipped);
    await expectRefusal(() => add(rel), 'E_SIG_INVALID');
  });

  it('refuses non-https artifact URLs (loopback http is allowed)', async () => {
    const rel = await signedRelease(tmp.path, author);
    await expectRefusal(() => add(rel, ['http://example.com/plugin.wasm']), 'E_URL_SCHEME');
    await expectRefusal(() => add(rel, ['javascript:alert(1)']), 'E_URL_SCHEME');
    await expect(add(rel, ['https://example.com/p.wasm', 'http://localhost:8080/p.wasm'])).resolves.toMatchObject({
      changed: true,
    });
  });

  it('refuses an unknown category and an invalid id', async () => {
    await expectRefusal(
      async () => add(await signedRelease(tmp.path, author, { manifest: { category: 'weather' } })),
      'E_CATEGORY_UNKNOWN',
    );
    await expectRefusal(
      async () => add(await signedRelease(tmp.path, author, { manifest: { id: 'Bad_Id' } })),
      'E_ID_INVALID',
    );
  });

  it('latest tracks the highest non-yanked, non-prerelease version', async () => {
    await add(await signedRelease(tmp.path, author));
    await add(await signedRelease(tmp.path, author, { manifest: { version: '1.2.0' }, variant: 2 }));
    await add(await signedRelease(tmp.path, author, { manifest: { version: '2.0.0-beta.1' }, variant: 3 }));
    await add(await signedRelease(tmp.path, author, { manifest: { version: '1.1.5' }, variant: 4 }));
    const registry = JSON.parse((await registryBytes()).toString()) as Registry;
    const p = registry.plugins[0];
    expect(p?.releases.map((r) => r.version)).toEqual(['1.0.0', '1.2.0', '2.0.0-beta.1', '1.1.5']);
    expect(p?.versions).toEqual({ latest: '1.2.0', stable: '1.2.0', minimum_supported: '1.0.0' });
  });
});

describe('addRelease (pure)', () => {
  it('returns a new registry and leaves the input untouched', async () => {
    const registry = JSON.parse((await registryBytes()).toString()) as Registry;
    const snapshot = JSON.stringify(registry);
    const next = addRelease(registry, {
      manifest: manifest() as never,
      artifact: { name: 'plugin.wasm', size: 8, sha256: 'a'.repeat(64), urls: ['https://example.com/p.wasm'] },
      minisig: 'sig',
      keyid: '0123456789abcdef',
      publicKey: 'RWQ...',
      tag: 'release-1',
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(JSON.stringify(registry)).toBe(snapshot);
    expect(next.plugins[0]?.releases[0]?.tag).toBe('release-1');
    expect(next.last_updated).toBe('2026-01-01T00:00:00.000Z');
  });

  it('orders versions by SemVer precedence', () => {
    const sorted = [
      '1.0.0',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-beta',
      '1.0.0-alpha.beta',
      '0.9.9',
      '1.0.0-rc.1',
      '1.0.0-beta.11',
      '1.0.0-beta.2',
    ].sort(compareVersions);
    expect(sorted).toEqual([
      '0.9.9',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
    ]);
    expect(summarizeVersions([])).toEqual({ latest: '', stable: '', minimum_supported: '' });
  });
});
