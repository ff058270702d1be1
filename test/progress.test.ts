import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, WHARF } from './helpers/demo.js';
import { createLab, type ReleaseLab } from './helpers/release-lab.js';

// A progress bar on a terminal, nothing extra with --json or in a pipe (issue 3 §4). `script` gives the CLI a
// real pseudo-terminal.
describe('download progress', () => {
  let lab: ReleaseLab;
  beforeAll(async () => {
    lab = await createLab();
    await lab.add({ id: 'big', version: '1.0.0', padding: 3_000_000 });
    await lab.publish();
  });
  afterAll(async () => lab?.close());

  it('draws a bar on a TTY', async () => {
    const c = await lab.client();
    const cmd = `${process.execPath} ${WHARF} --home ${c.home.root} install big`;
    // Async: the registry server lives in this process and must keep answering.
    const { stdout: out } = await promisify(execFile)('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8' });
    expect(out).toMatch(/big \[#+\] 3\.0\/3\.0 MB/);
    expect(out).toContain('installed big@1.0.0');
  });

  it('prints only the JSON document with --json, and no bar when piped', async () => {
    const c = await lab.client();
    const r = await runCli(WHARF, ['--home', c.home.root, '--json', 'install', 'big']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'big', version: '1.0.0', status: 'installed' });
    expect(r.stderr.replace(/\(node:\d+\) ExperimentalWarning.*\n(\(Use .*\n)?/g, '')).toBe('');
    const c2 = await lab.client();
    const piped = await runCli(WHARF, ['--home', c2.home.root, 'install', 'big']);
    expect(piped.stderr).not.toContain('[#');
  });
});
