import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { WharfClient } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli, type ServedDemo, serveDemo, tempDir, WHARF, WHARF_ADMIN } from './helpers/demo.js';

// The issue-2 path with no mocks: a registry made by wharf-admin, served over real HTTP on 127.0.0.1,
// refreshed through tuf-js, installed with hash and signature checks, run in the real Extism runtime.
describe('end to end: registry → serve → refresh → search → install → run', () => {
  let demo: ServedDemo;
  beforeAll(async () => {
    demo = await serveDemo(['count-vowels']);
  });
  afterAll(async () => demo?.close());

  it('works through the library', async () => {
    const home = tempDir('home');
    try {
      const c = new WharfClient({ home });
      await c.addSource({ alias: 'local', url: demo.server.url, rootSha256: demo.reg.rootSha256 });
      const r = await c.refresh();
      expect(r.failed).toEqual([]);
      expect(r.refreshed[0]?.plugins).toBe(1);
      const hits = await c.search('vowels');
      expect(hits[0]?.plugin_id).toBe('count-vowels');
      const inst = await c.install('count-vowels');
      expect(inst.status).toBe('installed');
      const out = await c.run('count-vowels', 'count_vowels', 'Hello World');
      expect(JSON.parse(Buffer.from(out).toString())).toEqual({ count: 3 });
      expect(await c.verify()).toEqual([{ id: 'count-vowels', ok: true }]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('works through the wharf-admin and wharf binaries', async () => {
    const root = tempDir('cli');
    const home = join(root, 'home');
    const regDir = join(root, 'registry');
    const ex = join(REPO, 'examples', 'count-vowels');
    const admin = (...a: string[]) => runCli(WHARF_ADMIN, a);
    const wharf = (...a: string[]) => runCli(WHARF, ['--home', home, ...a]);
    try {
      const init = await admin('registry', 'init', regDir, '--json');
      expect(init.code, init.stderr).toBe(0);
      const rootSha = (JSON.parse(init.stdout) as { rootSha256: string }).rootSha256;
      expect(rootSha).toMatch(/^[0-9a-f]{64}$/);
      const url = `${demo.server.url}/artifacts/count-vowels/plugin.wasm`;
      const add = await admin(
        'add',
        regDir,
        '--manifest',
        join(ex, 'plugin.json'),
        '--wasm',
        join(ex, 'plugin.wasm'),
        '--sig',
        join(ex, 'plugin.wasm.minisig'),
        '--url',
        url,
      );
      expect(add.code, add.stderr).toBe(0);
      const pub = await admin('publish', regDir);
      expect(pub.code, pub.stderr).toBe(0);

      const { startStaticServer } = await import('@wharf/tools');
      const server = await startStaticServer(regDir, { port: 0 });
      try {
        let r = await wharf('source', 'add', 'local', server.url, '--root-sha256', rootSha);
        expect(r.code, r.stderr).toBe(0);
        r = await wharf('refresh');
        expect(r.code, r.stderr).toBe(0);
        r = await wharf('--json', 'search', 'vowels');
        expect(r.code, r.stderr).toBe(0);
        expect((JSON.parse(r.stdout) as Array<{ plugin_id: string }>)[0]?.plugin_id).toBe('count-vowels');
        r = await wharf('install', 'count-vowels');
        expect(r.code, r.stderr).toBe(0);
        r = await wharf('run', 'count-vowels', 'count_vowels', '--input', 'Hello World');
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe('{"count":3}');
        r = await wharf('--json', 'list');
        expect((JSON.parse(r.stdout) as Array<{ id: string }>).map((e) => e.id)).toEqual(['count-vowels']);
      } finally {
        await server.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
