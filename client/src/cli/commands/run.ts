import { WharfError } from '@wharf/schemas';
import type { Command } from 'commander';
import { prestartExtismWorker, takePrestarted } from '../../run/prestart.js';
import { type CliContext, collect, readInputFile } from '../context.js';
import { writeOut } from '../std-write.js';

/** `wharf run`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('run <id> <export>')
    .description('run an export of an installed plugin in the Extism sandbox; writes its output bytes to stdout')
    .option('--input <text>', 'input text, or @file to read a file')
    .option('--config <k=v>', 'a config value the plugin declared (repeatable)', collect)
    .action(async (id: string, exp: string, o: { input?: string; config?: string[] }) => {
      // The plugin's worker boots while this process reads and checks (prestart.ts; the CLI's entry starts it even
      // earlier); it gets the plugin only once loadPlugin's checks passed, and is terminated when they fail.
      const worker = takePrestarted() ?? prestartExtismWorker();
      try {
        const input = o.input?.startsWith('@') ? readInputFile(o.input) : (o.input ?? '');
        const config: Record<string, string> = {};
        for (const kv of o.config ?? []) {
          const eq = kv.indexOf('=');
          if (eq < 1) throw new WharfError('E_USAGE', `--config takes key=value, got "${kv}".`);
          config[kv.slice(0, eq)] = kv.slice(eq + 1);
        }
        const bytes = await ctx
          .client()
          .run(id, exp, new Uint8Array(input instanceof Uint8Array ? input : Buffer.from(input)), { config, worker });
        if (ctx.g().json) writeOut(`${JSON.stringify({ output: Buffer.from(bytes).toString('utf8') })}\n`);
        else writeOut(bytes);
      } finally {
        worker?.cancel();
      }
    });
}
