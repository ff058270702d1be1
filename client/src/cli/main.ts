import { WharfError } from '@wharf/schemas';
import { Command, CommanderError, Option } from 'commander';
import { register as catalog } from './commands/catalog.js';
import { register as install } from './commands/install.js';
import { register as keys } from './commands/keys.js';
import { register as mcp } from './commands/mcp.js';
import { register as plugin } from './commands/plugin.js';
import { register as run } from './commands/run.js';
import { register as source } from './commands/source.js';
import { register as stats } from './commands/stats.js';
import { register as update } from './commands/update.js';
import { collect, makeContext } from './context.js';
import { fullName, jsonHelp, terminalOutput } from './help-document.js';
import { interruptedError } from './interrupt.js';
import { Output } from './output.js';
import { writeErr, writeOut } from './std-write.js';
import { VERSION } from './version.js';

/** Command groups, one module each, so features land without editing this file's body. */
const COMMANDS = [source, catalog, install, update, run, keys, plugin, stats, mcp];

/**
 * The top-level commands each group registers (client/test/cli-groups.test.ts holds it to what they register). A run
 * that names one of them registers that group alone: building every command's options and help cost each start
 * ~1.2 ms, and only help, a usage error and a mistyped command look at the others.
 */
export const COMMAND_NAMES: ReadonlyMap<(typeof COMMANDS)[number], readonly string[]> = new Map([
  [source, ['source']],
  [catalog, ['refresh', 'search', 'info']],
  [install, ['install', 'list', 'uninstall', 'verify']],
  [update, ['outdated', 'update']],
  [run, ['run']],
  [keys, ['keygen', 'sign']],
  [plugin, ['plugin']],
  [stats, ['stats']],
  [mcp, ['mcp']],
]);

const HELP_WORDS = new Set(['-h', '--help', 'help']);

/**
 * The group of the command `argv` runs, when it names one and asks for no help; undefined means all groups. Global
 * options are skipped by what the program declares (a value-taking one takes the next word as its value).
 */
function invokedGroup(program: Command, argv: string[]): (typeof COMMANDS)[number] | undefined {
  const takesValue = new Set(
    program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter(Boolean)),
  );
  const args = argv.slice(2);
  const end = args.indexOf('--');
  if ((end < 0 ? args : args.slice(0, end)).some((a) => HELP_WORDS.has(a))) return undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') return undefined;
    if (takesValue.has(a)) i++;
    else if (!a.startsWith('-')) return [...COMMAND_NAMES].find(([, names]) => names.includes(a))?.[0];
  }
  return undefined;
}

/** The `wharf` program; given the argv it will parse, only the group of the command that argv names. */
export function buildProgram(argv?: string[]): Command {
  const program = new Command('wharf')
    .description('Find, install, verify and run Extism WebAssembly plugins from signed Wharf registries.')
    .version(VERSION)
    .option('--home <dir>', 'where Wharf keeps sources, plugins and caches (default: the OS data dir, or $WHARF_HOME)')
    .option('--source <url>', 'limit this run to the configured sources with this alias or URL (repeatable)', collect)
    .option('--json', 'machine-readable output on stdout; errors as {"error":{code,message}}')
    .option('--offline', 'use only the verified cache; never touch the network')
    .option('--yes', 'answer yes to consent prompts (permission changes)')
    .option('--timeout <ms>', 'per-request deadline for index and artifact downloads');

  const ctx = makeContext(program);
  const only = argv && invokedGroup(program, argv);
  for (const r of only ? [only] : COMMANDS) r(program, ctx);
  program.addOption(new Option('--no-color').hideHelp());
  return program;
}

/** `--json` anywhere before `--`: known even when commander stops at a usage error before parsing it. */
function jsonRequested(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).slice(2).includes('--json');
}

function eachCommand(c: Command, fn: (c: Command) => void): void {
  fn(c);
  for (const s of c.commands) eachCommand(s, fn);
}

/**
 * A usage error as one line with its E_ code: commander's message ("error: unknown command 'instal'\n(Did you
 * mean install?)"), then where to look, instead of the whole help text.
 */
function usageError(e: CommanderError, cmd: Command): WharfError {
  const text = e.message
    .replace(/^error: /, '')
    .replace(/\s*\n\(Did you mean (.+)\?\)\s*$/s, ' (did you mean $1?)')
    .trim();
  if (e.code === 'commander.help') return new WharfError('E_USAGE', 'a command is needed; see `wharf --help`.');
  if (e.code === 'commander.unknownCommand')
    return new WharfError('E_USAGE', `${text}; see \`${fullName(cmd)} --help\` for the commands.`);
  return new WharfError('E_USAGE', `${text}; usage: ${fullName(cmd)} ${cmd.usage()}`);
}

/** The `wharf` entry point: exit 0 on success, 1 when a check failed (with an E_ code), 2 on usage errors. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram(argv);
  const json = jsonRequested(argv);
  // The command whose parse failed: commander reports the error there, and names no command in the error.
  let failedIn: Command = program;
  eachCommand(program, (c) => {
    c.exitOverride();
    c.configureOutput({
      ...terminalOutput(c),
      outputError: () => {
        failedIn = c;
      },
      // Under --json the help commander prints for a missing command would be a second document.
      writeErr: json ? () => {} : writeErr,
      // `--json --version` (beside other arguments; alone it never gets here, see version.ts): one document too.
      writeOut: json
        ? (s: string) => writeOut(s === `${VERSION}\n` ? `${JSON.stringify({ version: VERSION }, null, 2)}\n` : s)
        : writeOut,
    });
  });
  if (json) jsonHelp(program);
  try {
    // `wharf sign x.wasm --id a --version 1.2.3`: after the subcommand, --version is that command's option
    // (DESIGN §6); commander would take it as the program's version flag, print 0.1.0 and exit without signing.
    const args: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const next = argv[i + 1];
      if (argv[i] === '--version' && i > 2 && next !== undefined && !next.startsWith('-'))
        args.push(`--version=${argv[++i]}`);
      else args.push(argv[i] as string);
    }
    await program.parseAsync(args);
  } catch (e) {
    if (e instanceof CommanderError && e.exitCode === 0) {
      process.exitCode = 0;
      return;
    }
    // `wharf`, `wharf source`: commander printed that command's help (on stderr); as a usage error under --json.
    if (e instanceof CommanderError && e.code === 'commander.help' && !json) {
      process.exitCode = 2;
      return;
    }
    const err = e instanceof CommanderError ? usageError(e, failedIn) : (interruptedError() ?? e);
    process.exitCode = new Output(json).error(err);
  }
}
