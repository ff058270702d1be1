// What issue 10 changed in how `wharf` starts, seen from outside: --version answered before commander, --json
// meaning one document for --help and --version too, output written to the descriptors (files, pipes, closed
// pipes), and wharf-admin commands still loading what they run.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from './helpers/demo.js';

const WHARF = join(REPO, 'client/bin/wharf.js');
const WHARF_ADMIN = join(REPO, 'tools/bin/wharf-admin.js');
// Says on stderr, at exit, whether the process loaded Node's stream machinery.
const REPORT_STREAMS = join(REPO, 'test', 'helpers', 'report-streams.cjs');
const version = JSON.parse(readFileSync(join(REPO, 'client/package.json'), 'utf8')).version as string;

describe('wharf start-up paths', () => {
  it('--version and -V print the package version, alone or beside other options', async () => {
    for (const args of [['--version'], ['-V'], ['--offline', '--version']]) {
      const r = await runCli(WHARF, args);
      expect(r, args.join(' ')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('--json --version and --json --help are one JSON document each', async () => {
    for (const args of [
      ['--json', '--version'],
      ['--version', '--json'],
      ['--json', '--offline', '--version'],
    ]) {
      const r = await runCli(WHARF, args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(JSON.parse(r.stdout), args.join(' ')).toEqual({ version });
      expect(r.stderr).toBe('');
    }
    for (const args of [
      ['--json', '--help'],
      ['--json', 'source', '--help'],
      ['--json', 'run', '--help'],
    ]) {
      const r = await runCli(WHARF, args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stderr).toBe('');
      const doc = JSON.parse(r.stdout);
      expect(doc.command).toBe(['wharf', ...args.slice(1, -1)].join(' '));
      expect(doc.usage).toMatch(/^wharf/);
    }
    const top = JSON.parse((await runCli(WHARF, ['--json', '--help'])).stdout);
    expect(top.commands.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['search', 'install']));
    expect(top.options.map((o: { flags: string }) => o.flags)).toContain('--home <dir>');
    const run = JSON.parse((await runCli(WHARF, ['--json', 'run', '--help'])).stdout);
    expect(run.arguments).toEqual([
      { name: 'id', required: true, description: '' },
      { name: 'export', required: true, description: '' },
    ]);
  });

  it('wharf-admin --json --help is one JSON document for the program and each command', async () => {
    for (const args of [
      ['--json', '--help'],
      ['--json', 'add', '--help'],
      ['--json', 'registry', 'init', '--help'],
      ['add', '--help', '--json'],
    ]) {
      const r = await runCli(WHARF_ADMIN, args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stderr, args.join(' ')).toBe('');
      const doc = JSON.parse(r.stdout);
      expect(doc.command).toBe(['wharf-admin', ...args.filter((a) => !a.startsWith('--'))].join(' '));
      expect(doc.usage).toMatch(/^wharf-admin/);
    }
    const top = JSON.parse((await runCli(WHARF_ADMIN, ['--json', '--help'])).stdout);
    expect(top.commands.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['review', 'publish']));
    const add = JSON.parse((await runCli(WHARF_ADMIN, ['--json', 'add', '--help'])).stdout);
    expect(add.arguments).toEqual([{ name: 'dir', required: true, description: expect.any(String) }]);
    expect(add.options.map((o: { flags: string }) => o.flags)).toContain('--manifest <file>');
    expect(add.global_options.map((o: { flags: string }) => o.flags)).toContain('--json');
  });

  it('help text is the same whether or not stdout is a terminal-capable descriptor (no stream is asked)', async () => {
    const r = await runCli(WHARF, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: wharf \[options\] \[command\]\n/);
    // commander wraps at 80 columns when the width is unknown (a pipe)
    expect(Math.max(...r.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it('--help to /dev/null, a file or a pipe creates no process stream, in both CLIs', () => {
    const nul = openSync('/dev/null', 'w');
    const file = openSync(join(tempDir('help-out'), 'help.txt'), 'w');
    try {
      for (const bin of [WHARF, WHARF_ADMIN])
        for (const out of [nul, file, 'pipe'] as const) {
          const r = spawnSync(process.execPath, ['-r', REPORT_STREAMS, bin, '--help'], {
            stdio: ['ignore', out, 'pipe'],
            encoding: 'utf8',
          });
          expect(r.status, `${bin} ${out}: ${r.stderr}`).toBe(0);
          expect(r.stderr, `${bin} to ${out === nul ? '/dev/null' : out === file ? 'a file' : 'a pipe'}`).toBe(
            'streams not loaded\n',
          );
        }
    } finally {
      closeSync(nul);
      closeSync(file);
    }
  });

  it('wharf-admin --help lists every command without loading Octokit, simple-git or Extism', async () => {
    const heavy = /node_modules\/(@octokit|simple-git|@extism|tuf-js|@modelcontextprotocol)/;
    // The bin (the bundle): Extism stays outside it, so loading it is a CommonJS load NODE_DEBUG=module logs.
    const r = await runCli(WHARF_ADMIN, ['--help'], { env: { NODE_DEBUG: 'module' } });
    expect(r.code).toBe(0);
    for (const cmd of ['review', 'approve', 'publish-submissions', 'shard', 'mirror', 'scan'])
      expect(r.stdout).toContain(cmd);
    expect(r.stderr).not.toMatch(heavy);
    // The modules tsc built: NODE_DEBUG=esm logs every module loaded, dependencies included.
    const m = await runCli(join(REPO, 'tools/dist/cli/entry.js'), ['--help'], { env: { NODE_DEBUG: 'esm' } });
    expect(m.code).toBe(0);
    expect(m.stderr).toMatch(/node_modules\/commander/);
    expect(m.stderr).not.toMatch(heavy);
  });
});
