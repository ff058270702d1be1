// `wharf-admin validate` holds versions.latest to DESIGN §2: the highest non-yanked, non-prerelease release; a
// prerelease only when no stable release is live.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from '@wharf/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { addRelease } from '../src/index.js';
import { emptyRegistry } from '../src/registry/init.js';
import { manifest, runMain, tempDir } from './fixtures.js';

const tmp = await tempDir();
afterAll(() => tmp.cleanup());

function withVersions(versions: string[]): Registry {
  let r = emptyRegistry('latest rule', new Date('2026-11-01T00:00:00Z'));
  versions.forEach((version, i) => {
    r = addRelease(r, {
      manifest: manifest({ version }) as never,
      artifact: {
        name: 'plugin.wasm',
        size: 8,
        sha256: String(i).padStart(64, 'a'),
        urls: ['https://cdn.example/p.wasm'],
      },
      minisig: 'untrusted comment: x\nRUQ=\ntrusted comment: x\nx\n',
      keyid: '0123456789abcdef',
      publicKey: `RWQ${'A'.repeat(53)}`,
    });
  });
  return r;
}

async function validate(r: Registry) {
  const file = join(tmp.path, `registry-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(r));
  const out = await runMain(['--json', 'validate', file]);
  return { code: out.code, text: out.stdout + out.stderr };
}

describe('validate: versions.latest', () => {
  it('accepts latest = the highest stable release, and a prerelease when there is no stable one', async () => {
    expect((await validate(withVersions(['1.0.0', '1.1.0-beta.1']))).code).toBe(0);
    expect((await validate(withVersions(['1.0.0-rc.1']))).code).toBe(0);
  });

  it('refuses latest pointing at a prerelease when a stable release exists', async () => {
    const r = withVersions(['1.0.0', '1.1.0-beta.1']);
    const p = r.plugins[0] as Registry['plugins'][number];
    p.versions.latest = '1.1.0-beta.1';
    const out = await validate(r);
    expect(out.code).toBe(1);
    expect(out.text).toMatch(/E_SCHEMA/);
    expect(out.text).toMatch(/versions\/latest.*prerelease 1\.1\.0-beta\.1, but stable 1\.0\.0 exists/s);
  });

  it('a yanked stable release does not count: then a prerelease may be latest', async () => {
    const r = withVersions(['1.0.0', '1.1.0-beta.1']);
    const p = r.plugins[0] as Registry['plugins'][number];
    p.versions.latest = '1.1.0-beta.1';
    (p.releases[0] as (typeof p.releases)[number]).yanked = true;
    expect((await validate(r)).code).toBe(0);
  });
});
