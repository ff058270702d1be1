import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { plural } from '../output.js';

/** `wharf stats [alias]`: WXAUTO-MGT's marketplace statistics, for signed and legacy sources alike. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('stats')
    .description('catalog statistics: total, featured, verified, downloads, plugins per category')
    .argument('[alias]', 'only this source')
    .action(async (alias?: string) => {
      const { catalogStats } = await import('../../legacy/wxauto-search.js');
      const { findSource } = await import('../../sources/sources-config.js');
      const c = ctx.client();
      const catalog = await c.catalog();
      if (alias) findSource(catalog.sources, alias); // E_SOURCE_UNKNOWN with the usual hint
      const s = catalogStats(catalog, alias);
      ctx
        .out()
        .result(s, () => [
          `total_plugins     ${s.total_plugins}`,
          `featured_plugins  ${s.featured_plugins}`,
          `verified_plugins  ${s.verified_plugins}`,
          `total_downloads   ${s.total_downloads}`,
          'category_stats',
          ...Object.entries(s.category_stats).map(([k, v]) => `  ${k.padEnd(16)} ${v}`),
          ...s.sources.map(
            (x) =>
              `source ${x.alias} (${x.type}${x.unverified ? ', unverified' : ''}${x.stale ? ', stale' : ''}): ${plural(x.plugins, 'plugin')}, fetched ${x.fetched_at}`,
          ),
        ]);
    });
}
