// main.ts registers only the group of the command a run names (each start built every command's help and
// options). What each group registers must be what COMMAND_NAMES says, or a run of a command it misses would fail.
import { describe, expect, it } from 'vitest';
import { buildProgram, COMMAND_NAMES } from '../src/cli/main.js';

const names = (argv?: string[]) => buildProgram(argv).commands.map((c) => c.name());
const run = (...args: string[]) => ['node', 'wharf', ...args];

describe('the command groups main.ts registers', () => {
  it('lists every top-level command once, as the full program registers them', () => {
    const listed = [...COMMAND_NAMES.values()].flat();
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(names().sort());
  });

  it('a run that names a command registers its group alone, past global options and their values', () => {
    for (const group of COMMAND_NAMES.values())
      for (const cmd of group) expect(names(run('--json', cmd, 'x'))).toEqual(group);
    // --home takes the next word as its value, whatever it is: here the command is list.
    expect(names(run('--home', 'search', '--offline', 'list'))).toEqual(['install', 'list', 'uninstall', 'verify']);
    expect(names(run('--home=/h', 'search', 'vowels'))).toEqual(['refresh', 'search', 'info']);
  });

  it('help, no command, an unknown one or one after -- get every command (for the help and "did you mean")', () => {
    const all = names().sort();
    for (const argv of [run(), run('--help'), run('search', '--help'), run('help', 'search'), run('-h'), run('serch')])
      expect(names(argv).sort()).toEqual(all);
    expect(names(run('--', 'search')).sort()).toEqual(all);
  });
});
