import { WharfError } from '@wharf/schemas';
import type { Command } from 'commander';
import type { InstallResult } from '../../install/install.js';
import { consent } from '../consent.js';
import type { CliContext } from '../context.js';
import { interruptible } from '../interrupt.js';
import { progressBar } from '../output.js';
import { isTerminal } from '../std-write.js';

/** `wharf install|list|uninstall|verify`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('install <spec>')
    .description('install <id>[@range]: download, verify sha256 and signature, place atomically, lock')
    .option('--allow-downgrade', 'allow installing a lower version than the installed one')
    .option('--allow-unpinned', 'allow installs from legacy sources whose index pins no hash')
    .action(async (spec: string, o: { allowDowngrade?: boolean; allowUnpinned?: boolean }) => {
      const bar = progressBar(spec, !ctx.g().json && isTerminal(2));
      const [r, ...deps] = await interruptible(() =>
        ctx.client().installMany([spec], {
          allowDowngrade: o.allowDowngrade,
          allowUnpinned: o.allowUnpinned,
          onProgress: bar,
          ...consent(ctx),
        }),
      );
      bar.done();
      const res = r as InstallResult;
      for (const w of [res, ...deps].flatMap((x) => x.warnings ?? []))
        ctx.out().note(`warning ${w.code}: ${w.message}`);
      ctx
        .out()
        .result({ ...res, dependencies: deps }, () => [
          ...deps.filter((d) => d.status === 'installed').map((d) => `installed dependency ${d.id}@${d.version}`),
          res.status === 'unchanged'
            ? `${res.id}@${res.version} is already installed`
            : `installed ${res.id}@${res.version}${res.previous ? ` (was ${res.previous}, ${res.change})` : ''} sha256 ${res.sha256.slice(0, 12)}…${res.fromCache ? ' (from cache)' : ''}`,
        ]);
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
    .option('--full', 'also run the whole minisign -V check of every installed artifact')
    .action(async (o: { full?: boolean }) => {
      const r = await ctx.client().verify({ full: o.full });
      const bad = r.find((x) => !x.ok);
      // One document under --json: the refusal, carrying the per-plugin results.
      if (bad && ctx.g().json)
        throw new WharfError(bad.code ?? 'E_LOCK_MISMATCH', `${bad.id}: ${bad.problem}`, { results: r });
      ctx
        .out()
        .result(r, () =>
          r.length === 0
            ? 'no plugins installed'
            : r.map((x) => `${x.ok ? 'ok  ' : 'FAIL'} ${x.id}${x.problem ? `: ${x.problem}` : ''}`),
        );
      if (bad) throw new WharfError(bad.code ?? 'E_LOCK_MISMATCH', `${bad.id}: ${bad.problem}`);
    });
}
