// `wharf-admin add --readme <file>`: the README is kept with the release; a README the registry cannot keep is
// refused with its E_ code, registry.json byte-identical and no temp file left.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from '@wharf/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initRegistry } from '../src/index.js';
import { README_MAX } from '../src/registry/add-release.js';
import { minisignKey, runMain, type SignedRelease, signedRelease, tempDir, tempFiles } from './fixtures.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let reg: string;
let rel: SignedRelease;

beforeEach(async () => {
  tmp = await tempDir();
  reg = join(tmp.path, 'registry');
  await initRegistry(reg);
  rel = await signedRelease(tmp.path, await minisignKey(tmp.path));
});
afterEach(async () => tmp.cleanup());

const add = (readme: string) =>
  runMain([
    'add',
    reg,
    '--manifest',
    rel.manifestPath,
    '--wasm',
    rel.wasmPath,
    '--sig',
    rel.sigPath,
    '--url',
    'https://example.com/plugin.wasm',
    '--readme',
    readme,
    '--json',
  ]);

describe('wharf-admin add --readme', () => {
  it('keeps the README with the release, normalised to NFC and LF', async () => {
    const file = join(tmp.path, 'README.md');
    await writeFile(file, '\uFEFF# Hello\r\n\r\nCafe\u0301 `code`\r\n');
    const r = await add(file);
    expect(r.code, r.stderr).toBe(0);
    const registry = JSON.parse(await readFile(join(reg, 'registry.json'), 'utf8')) as Registry;
    expect(registry.plugins[0]?.releases[0]?.readme).toBe('# Hello\n\nCafé `code`\n');
  });

  it.each([
    ['over the cap', 'x'.repeat(README_MAX + 1), 'E_TOO_LARGE'],
    ['a bidi override', 'safe \u202e text', 'E_TEXT_CONTROL_CHARS'],
    ['an escape sequence', 'ring \u001b[2J', 'E_TEXT_CONTROL_CHARS'],
    ['invalid UTF-8', Buffer.from([0x23, 0x20, 0xff, 0xfe]), 'E_SCHEMA'],
    ['a missing file', undefined, 'E_IO'],
  ])('refuses a README with %s (%s), changing nothing', async (_what, content, code) => {
    const file = join(tmp.path, 'README.md');
    if (content !== undefined) await writeFile(file, content);
    const before = await readFile(join(reg, 'registry.json'));
    const r = await add(file);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code } });
    expect((await readFile(join(reg, 'registry.json'))).equals(before)).toBe(true);
    expect(await tempFiles(tmp.path)).toEqual([]);
  });
});
