// The source commands through the real `wharf` binary: --official reads registry/sources.json (no network when
// the root comes from a file), and a refresh with every mirror down exits 1 with each mirror's reason.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SourcesConfig } from '@wharf/client';
import { startStaticServer } from '@wharf/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli, type ServedDemo, serveDemo, tempDir, WHARF } from '../helpers/demo.js';

let demo: ServedDemo;
let root: string;
beforeAll(async () => {
  demo = await serveDemo(['count-vowels']);
  root = tempDir('sources-cli');
});
afterAll(async () => {
  await demo?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('wharf source', () => {
  it('add --official takes the GitHub and Gitee mirrors from registry/sources.json', async () => {
    const home = join(root, 'official');
    const official = JSON.parse(readFileSync(join(REPO, 'registry', 'sources.json'), 'utf8')) as SourcesConfig;
    const rootFile = join(demo.reg.registryDir, 'metadata', '1.root.json');
    const r = await runCli(WHARF, [
      '--home',
      home,
      '--json',
      'source',
      'add',
      'wharf',
      '--official',
      '--root-file',
      rootFile,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const added = JSON.parse(r.stdout) as { mirrors: string[] };
    expect(added.mirrors).toEqual(official.sources[0]?.mirrors);
    const usage = await runCli(WHARF, ['--home', home, '--json', 'source', 'add', 'other']);
    expect(usage.code).toBe(2);
    expect(usage.stdout).toMatch(/E_USAGE/);
  });

  it('refresh with every mirror down exits 1 with E_ALL_MIRRORS_FAILED and each reason; test shows both mirrors', async () => {
    const home = join(root, 'down');
    // No tight --timeout: the healthy refresh below must not fail because a busy machine was slow to answer,
    // and a down mirror here refuses the connection at once, so no deadline is waited on.
    const wharf = (...a: string[]) => runCli(WHARF, ['--home', home, ...a]);
    const server = await startStaticServer(demo.reg.registryDir);
    // A port that was just closed, rather than a guess that nothing listens on port 9.
    const gone = await startStaticServer(demo.reg.registryDir);
    await gone.close();
    let r = await wharf(
      'source',
      'add',
      'local',
      server.url,
      '--mirror',
      gone.url,
      '--root-sha256',
      demo.reg.rootSha256,
    );
    expect(r.code, r.stderr).toBe(0);
    r = await wharf('refresh');
    expect(r.code, r.stderr).toBe(0);
    await server.close();
    r = await wharf('--json', 'refresh');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { error: { code: string; details: { failed: Array<{ mirrors: unknown[] }> } } };
    expect(out.error.code).toBe('E_ALL_MIRRORS_FAILED');
    expect(out.error.details.failed[0]?.mirrors).toHaveLength(2);
    r = await wharf('source', 'test');
    expect(r.code).toBe(1);
    expect(r.stdout.match(/FAIL/g)).toHaveLength(2);
  });
});
