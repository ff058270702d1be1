import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { plural } from '../output.js';

/** How many plugins `wharf stats` lists by downloads. */
const TOP = 10;

/**
 * `wharf stats [alias]`: WXAUTO-MGT's marketplace statistics, for signed and legacy sources alike, plus the stars
 * total and the most downloaded plugins (the numbers `wharf-admin stats` publishes).
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('stats')
    .description('catalog statistics: total, featured, verified, downloads, stars, plugins per category, top plugins')
    .argument('[alias]', 'only this source')
    .action(async (alias?: string) => {
      const { catalogStats } = await import('../../legacy/wxauto-search.js');
      const { findSource } = await import('../../sources/sources-config.js');
      const c = ctx.client();
      const catalog = await c.catalog();
      if (alias) findSource(catalog.sources, alias); // E_SOURCE_UNKNOWN with the usual hint
      const entries = alias ? catalog.entries.filter((e) => e.source === alias) : catalog.entries;
      const top_downloads = entries
        .filter((e) => e.plugin.status === 'active')
        .sort((a, b) => b.plugin.stats.downloads - a.plugin.stats.downloads || (a.address < b.address ? -1 : 1))
        .slice(0, TOP)
        .map((e) => ({
          address: e.address,
          plugin_id: e.plugin.plugin_id,
          downloads: e.plugin.stats.downloads,
          stars: e.plugin.stats.stars,
        }));
      // The sum saturates like the registry's own counts, so a hostile legacy source can't print 1e+300.
      const total_stars = Math.min(
        Number.MAX_SAFE_INTEGER,
        entries.reduce((n, e) => n + e.plugin.stats.stars, 0),
      );
      const s = { ...catalogStats(catalog, alias), total_stars, top_downloads };
      ctx
        .out()
        .result(s, () => [
          `total_plugins     ${s.total_plugins}`,
          `featured_plugins  ${s.featured_plugins}`,
          `verified_plugins  ${s.verified_plugins}`,
          `total_downloads   ${s.total_downloads}`,
          `total_stars       ${s.total_stars}`,
          'category_stats',
          ...Object.entries(s.category_stats).map(([k, v]) => `  ${k.padEnd(16)} ${v}`),
          ...(top_downloads.length ? ['top_downloads'] : []),
          ...top_downloads.map((t) => `  ${t.address.padEnd(24)} ${t.downloads} downloads  ${t.stars} stars`),
          ...s.sources.map(
            (x) =>
              `source ${x.alias} (${x.type}${x.unverified ? ', unverified' : ''}${x.stale ? ', stale' : ''}): ${plural(x.plugins, 'plugin')}, fetched ${x.fetched_at}`,
          ),
        ]);
    });
}
