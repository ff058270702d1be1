import { WharfError } from '@wharf/schemas';
import type { Command } from 'commander';
import { type CliContext, requireSource } from '../context.js';
import { formatAge, plural } from '../output.js';

/**
 * Say which sources answered from a stale copy (the last verified index, after every mirror failed). On stderr
 * even with --json, where `search` must stay a plain array; `info --json` also carries it as `stale`.
 */
function noteStale(stale: Array<{ alias: string; age_ms: number; reason: string }>): void {
  for (const s of stale)
    process.stderr.write(
      `note: source ${s.alias} is stale: the last refresh failed on every mirror (${s.reason}); showing the last verified index, ${formatAge(s.age_ms)} old\n`,
    );
}

/** `wharf refresh|search|info`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('refresh')
    .description('fetch and verify the signed index of every source')
    .argument('[alias]', 'only this source')
    .action(async (alias?: string) => {
      const c = ctx.client();
      requireSource(c);
      const r = await c.refresh(alias);
      const first = r.refreshed.length === 0 ? r.failed[0] : undefined;
      if (first) {
        // A total failure is reported once, as the error (with --json its details carry the report).
        const age = first.stale_age_ms;
        if (age !== undefined) ctx.out().note(`using the last verified index (stale, ${formatAge(age)} old)`);
        throw new WharfError(first.code as never, first.message, { failed: r.failed });
      }
      ctx
        .out()
        .result(r, () => [
          ...r.refreshed.map(
            (x) =>
              `${x.alias}: ${x.sharded ? `sharded index, ${plural(x.plugins, 'plugin file')} cached` : plural(x.plugins, 'plugin')}, ${x.unverified ? 'legacy WXAUTO-MGT index, UNVERIFIED' : `targets v${x.targetsVersion}`}, from ${x.mirror}`,
          ),
          ...r.failed.map(
            (f) =>
              `${f.alias}: ${f.code} ${f.message}${f.stale_age_ms !== undefined ? `\n  using the last verified index (stale, ${formatAge(f.stale_age_ms)} old)` : ''}`,
          ),
        ]);
    });

  program
    .command('search')
    .description('search the catalog')
    .argument('[query...]', 'words to search for')
    .option('--category <id>', 'only this category')
    .option('--tag <tag>', 'only plugins with this tag')
    .option('--verified', 'only verified plugins')
    .action(async (words: string[], o: { category?: string; tag?: string; verified?: boolean }) => {
      const c = ctx.client();
      const cfg = requireSource(c);
      const hits = await c.search(words.join(' '), o);
      const { staleStatus } = await import('../../index/index-cache.js');
      noteStale(cfg.sources.flatMap((s) => staleStatus(c.home, s.alias) ?? []));
      ctx
        .out()
        .result(hits, () =>
          hits.length === 0
            ? 'no plugins found'
            : hits.map(
                (h) =>
                  `${h.address}@${h.latest}\t${'unverified' in h ? '(legacy, unverified) ' : h.verified ? '✓ ' : ''}${h.short_description}${h.downloads !== undefined ? `\t${h.downloads} downloads, ${h.stars ?? 0} stars` : ''}`,
              ),
        );
    });

  program
    .command('info <id>')
    .description('show a plugin: versions, permissions, exports, signing key')
    .action(async (id: string) => {
      const c = ctx.client();
      const i = await c.info(id);
      const p = i.plugin;
      const { staleStatus } = await import('../../index/index-cache.js');
      // Only a legacy (WXAUTO-MGT) entry needs the legacy install module's permission view.
      const legacyLines = i.legacy ? (await import('../../legacy/wxauto-install.js')).legacyInfoLines(i.legacy) : [];
      const stale = staleStatus(c.home, i.source);
      noteStale(stale ? [stale] : []);
      ctx
        .out()
        .result(stale ? { ...i, stale } : i, () => [
          `${i.address}  ${p.name} — ${p.short_description}`,
          `latest ${p.versions.latest}  licence ${p.license}  author ${p.author.name}  status ${p.status}${p.verified ? '  verified' : ''}`,
          `downloads ${p.stats.downloads}  stars ${p.stats.stars}`,
          `versions: ${p.releases.map((r) => `${r.version}${r.yanked ? ' (yanked)' : ''}${r.deprecated ? ' (deprecated)' : ''}`).join(', ')}`,
          `exports: ${(p.releases.at(-1)?.exports ?? []).map((e) => e.name).join(', ')}`,
          `keys: ${p.keys.map((k) => `${k.keyid} (${k.status})`).join(', ')}`,
          ...legacyLines,
          i.installed ? `installed: ${i.installed.version}` : `install: wharf install ${i.address}`,
        ]);
    });
}
