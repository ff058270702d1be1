// What a crashed run left in the home (temp files and staged dirs) is cleared by the next process that changes the
// home: the library when a client is made (default), the CLI at its first hold of the home lock, so that its
// read-only commands list no directories to clean (client/src/home.ts, sweep).
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMP_MARK, WharfClient } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoClient, runCli, type ServedDemo, serveDemo, tempDir, WHARF } from '../helpers/demo.js';
import { tempLeftovers } from '../helpers/snapshot-dir.js';

let demo: ServedDemo;
let home: string;

// Leftovers of a dead process: no live pid in their names.
const LEFT = [
  ['tmp', `${TEMP_MARK}download`],
  ['cache', 'index', `${TEMP_MARK}local.registry.json`],
  ['plugins', 'greet', `${TEMP_MARK}stage`],
];
function plantLeftovers(): void {
  for (const segs of LEFT) {
    const p = join(home, ...segs);
    if (segs.at(-1)?.endsWith('stage')) mkdirSync(p, { recursive: true });
    else writeFileSync(p, 'partial');
  }
}

beforeAll(async () => {
  demo = await serveDemo(['greet']);
  home = join(tempDir('home-sweep'), 'home');
  await (await demoClient(demo, home)).install('greet');
});
afterAll(async () => {
  await demo?.server.close();
});

describe('leftovers of a crashed run', () => {
  it('the CLI: read-only commands leave them, the next command that writes clears them', async () => {
    plantLeftovers();
    const env = { WHARF_HOME: home };
    for (const args of [['list'], ['--offline', 'search', 'greet'], ['--offline', 'info', 'greet'], ['verify']]) {
      const r = await runCli(WHARF, args, { env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect(tempLeftovers(home)).toHaveLength(LEFT.length);
    const r = await runCli(WHARF, ['refresh'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(tempLeftovers(home)).toEqual([]);
  });

  it('the library: making a client clears them', () => {
    plantLeftovers();
    new WharfClient({ home });
    expect(tempLeftovers(home)).toEqual([]);
  });

  it('a deferred sweep checks the layout again: a link planted at tmp since is refused, nothing behind it removed', async () => {
    const c = new WharfClient({ home, sweep: 'first-lock' });
    const elsewhere = tempDir('sweep-elsewhere');
    writeFileSync(join(elsewhere, `${TEMP_MARK}not-ours`), 'keep');
    rmSync(join(home, 'tmp'), { recursive: true });
    symlinkSync(elsewhere, join(home, 'tmp'));
    try {
      await expect(c.refresh()).rejects.toMatchObject({ code: 'E_PATH_ESCAPE' });
      expect(existsSync(join(elsewhere, `${TEMP_MARK}not-ours`))).toBe(true);
    } finally {
      rmSync(join(home, 'tmp'));
      mkdirSync(join(home, 'tmp'));
    }
  });
});
