import type { Command } from 'commander';
import { consent } from '../consent.js';
import type { CliContext } from '../context.js';
import { interruptible } from '../interrupt.js';
import { progressBar } from '../output.js';
import { isTerminal } from '../std-write.js';

/** `wharf outdated|update`: each change labelled patch, minor, major or downgrade. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('outdated')
    .description('list installed plugins with a newer version (or a yanked one) in the index')
    .argument('[ids...]', 'only these plugins')
    .action(async (ids: string[]) => {
      const o = await ctx.client().outdated(ids);
      ctx
        .out()
        .result(o, () =>
          o.length === 0
            ? 'everything is up to date'
            : o.map(
                (x) =>
                  `${x.id}\t${x.installed} → ${x.latest}\t${x.change}${x.yanked ? `\t(installed version yanked: ${x.yanked})` : ''}`,
              ),
        );
    });

  program
    .command('update')
    .description('update installed plugins (all, or the ones named) to their newest usable version')
    .argument('[ids...]', 'only these plugins')
    .option('--allow-downgrade', 'also move to a lower version when the index only has lower ones')
    .action(async (ids: string[], o: { allowDowngrade?: boolean }) => {
      const bar = progressBar('update', !ctx.g().json && isTerminal(2));
      const r = await interruptible(() =>
        ctx.client().update(ids, { allowDowngrade: o.allowDowngrade, onProgress: bar, ...consent(ctx) }),
      );
      bar.done();
      ctx
        .out()
        .result(r, () => [
          ...(r.updated.length === 0 ? ['nothing to update'] : []),
          ...r.updated.map(
            (u) =>
              `updated ${u.id} ${u.previous ?? '(new)'} → ${u.version}${u.change ? `\t${u.change}` : '\tdependency'}`,
          ),
          ...r.skipped.map(
            (s) => `skipped ${s.id} ${s.installed} → ${s.latest}\t${s.change} (pass --allow-downgrade to take it)`,
          ),
        ]);
    });
}
