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
import { collect, type GlobalOpts, makeContext } from './context.js';
import { Output } from './output.js';

/** Command groups, one module each, so features land without editing this file's body. */
const COMMANDS = [source, catalog, install, update, run, keys, plugin, stats, mcp];

export function buildProgram(): Command {
  const program = new Command('wharf')
    .description('Find, install, verify and run Extism WebAssembly plugins from signed Wharf registries.')
    .version('0.1.0')
    .option('--home <dir>', 'where Wharf keeps sources, plugins and caches (default: the OS data dir, or $WHARF_HOME)')
    .option('--source <url>', 'limit this run to the configured sources with this alias or URL (repeatable)', collect)
    .option('--json', 'machine-readable output on stdout; errors as {"error":{code,message}}')
    .option('--offline', 'use only the verified cache; never touch the network')
    .option('--yes', 'answer yes to consent prompts (permission changes)')
    .option('--timeout <ms>', 'per-request deadline for index and artifact downloads')
    .showHelpAfterError()
    .configureOutput({ outputError: (s, write) => write(s) });

  const ctx = makeContext(program);
  for (const r of COMMANDS) r(program, ctx);
  program.addOption(new Option('--no-color').hideHelp());
  return program;
}

/** The `wharf` entry point: exit 0 on success, 1 when a check failed (with an E_ code), 2 on usage errors. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  for (const c of program.commands) c.exitOverride();
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
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = new Output(Boolean(program.opts<GlobalOpts>().json)).error(e);
  }
}
