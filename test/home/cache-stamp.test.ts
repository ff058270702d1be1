import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoClient, REPO, type ServedDemo, serveDemo, tempDir } from '../helpers/demo.js';

// A read-only command trusts the cached index without hashing it while its file is the one the meta recorded
// (inode, size, ctime: client/src/fs/file-stamp.ts); any change to the file sends it back to the
// hash, and bytes that differ from the verified ones are never served.
const BIN = join(REPO, 'client', 'bin', 'wharf.cjs');
// Says on stderr, at exit, whether node:crypto was loaded: the hash is its only use in `info --offline`.
const PRELOAD = join(REPO, 'test', 'home', 'report-crypto.cjs');

let demo: ServedDemo;
let home: string;
const body = () => join(home, 'cache', 'index', 'local.registry.json');
const meta = () => JSON.parse(readFileSync(join(home, 'cache', 'index', 'local.meta.json'), 'utf8'));
const info = () => {
  const r = spawnSync(process.execPath, ['-r', PRELOAD, BIN, '--home', home, '--json', '--offline', 'info', 'greet'], {
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, crypto: /crypto loaded/.test(r.stderr), stderr: r.stderr };
};

beforeAll(async () => {
  demo = await serveDemo(['greet']);
  home = join(tempDir('cache-stamp'), 'home');
  await demoClient(demo, home);
});
afterAll(async () => {
  await demo?.server.close();
});

describe('the cached index read back by a read-only command', () => {
  it('is not hashed again while its file is the one the meta recorded', () => {
    expect(meta().stamp).toMatch(/^\d+:\d+:\d+$/);
    const r = info();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.out).plugin.plugin_id).toBe('greet');
    expect(r.crypto).toBe(false);
  });

  it('is hashed when the file changed, and served only if the bytes are still the verified ones', () => {
    const good = readFileSync(body());
    // A copy put in place: another inode, the same bytes. Hashed, and accepted.
    copyFileSync(body(), `${body()}.copy`);
    renameSync(`${body()}.copy`, body());
    let r = info();
    expect(r.code, r.stderr).toBe(0);
    expect(r.crypto).toBe(true);
    // The same file written over in place, one byte changed and the size kept: refused, never shown.
    const text = good.toString('utf8');
    const at = text.indexOf('"greet"') + 2;
    const tampered = text.slice(0, at) + (text[at] === 'x' ? 'y' : 'x') + text.slice(at + 1);
    expect(tampered.length).toBe(text.length);
    writeFileSync(body(), tampered);
    r = info();
    expect(r.code).not.toBe(0);
    // No verified index is left to read offline: the greet entry is not found, the altered bytes never shown.
    expect(JSON.parse(r.out).error.code).toBe('E_NOT_FOUND');
    writeFileSync(body(), good);
    // Restored bytes, a new ctime: hashed and served again.
    r = info();
    expect(r.code, r.stderr).toBe(0);
    expect(r.crypto).toBe(true);
  });
});
