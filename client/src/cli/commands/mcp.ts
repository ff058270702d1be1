import { WharfError } from '@wharf/schemas';
import type { Command } from 'commander';
import { type CliContext, collect } from '../context.js';

/** `wharf mcp`: the installed plugins' exports as MCP tools over stdio (stdout carries only the protocol). */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('mcp')
    .description('serve every export of the installed plugins as MCP tools over stdio, each call run in the sandbox')
    .option('--plugin <id>', 'serve only this plugin (repeatable)', collect)
    .option('--config <id.key=value>', "a config value for one plugin's declared config key (repeatable)", collect)
    .action(async (o: { plugin?: string[]; config?: string[] }) => {
      const config: Record<string, Record<string, string>> = {};
      for (const kv of o.config ?? []) {
        const m = /^([^.=]+)\.([^=]+)=(.*)$/s.exec(kv);
        if (!m) throw new WharfError('E_USAGE', `--config takes <plugin-id>.<key>=<value>, got "${kv}".`);
        const [, id, key, value] = m as unknown as [string, string, string, string];
        config[id] = { ...config[id], [key]: value };
      }
      // Loaded here: the MCP SDK costs ~200 ms to import, which no other command should pay.
      const { serveMcpStdio } = await import('../../mcp/server.js');
      await serveMcpStdio(ctx.client().home, { only: o.plugin, config, version: program.version() });
    });
}
