import { WharfError } from '@wharf/schemas';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { progressBar } from '../output.js';

/** `wharf install|list|uninstall|verify`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('install <spec>')
    .description('install <id>[@range]: download, verify sha256 and signature, place atomically, lock')
    .option('--allow-downgrade', 'allow installing a lower version than the installed one')
    .option('--allow-unpinned', 'allow installs from legacy sources whose index pins no hash')
    .action(async (spec: string, o: { allowDowngrade?: boolean }) => {
      const bar = progressBar(spec, Boolean(process.stderr.isTTY) && !ctx.g().json);
      const r = await ctx.client().install(spec, { allowDowngrade: o.allowDowngrade, onProgress: bar });
      bar.done();
      ctx
        .out()
        .result(r, () =>
          r.status === 'unchanged'
            ? `${r.id}@${r.version} is already installed`
            : `installed ${r.id}@${r.version}${r.previous ? ` (was ${r.previous})` : ''} sha256 ${r.sha256.slice(0, 12)}…${r.fromCache ? ' (from cache)' : ''}`,
        );
    });

  program
    .command('list')
    .description('list installed plugins')
    .action(() => {
      const l = ctx.client().list();
      ctx
        .out()
        .result(l, () =>
          l.length === 0
            ? 'no plugins installed'
            : l.map((e) => `${e.id}@${e.version}\t${e.source}\t${e.sha256.slice(0, 12)}`),
        );
    });

  program
    .command('uninstall <id>')
    .description('remove an installed plugin')
    .action((id: string) => {
      const e = ctx.client().uninstall(id);
      ctx.out().result({ uninstalled: e.id, version: e.version }, () => `uninstalled ${e.id}@${e.version}`);
    });

  program
    .command('verify')
    .description('re-hash every installed plugin against the lockfile')
    .action(() => {
      const r = ctx.client().verify();
      ctx
        .out()
        .result(r, () =>
          r.length === 0
            ? 'no plugins installed'
            : r.map((x) => `${x.ok ? 'ok  ' : 'FAIL'} ${x.id}${x.problem ? `: ${x.problem}` : ''}`),
        );
      const bad = r.find((x) => !x.ok);
      if (bad) throw new WharfError('E_LOCK_MISMATCH', `${bad.id}: ${bad.problem}`);
    });
}
