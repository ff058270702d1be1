import { WharfError } from '@wharf/schemas';
import { type Command, Option } from 'commander';
import { type CliContext, collect, requireSource } from '../context.js';

/** `wharf source add|list|remove|use|test`. */
export function register(program: Command, ctx: CliContext): void {
  const source = program.command('source').description('manage the registries Wharf reads from');
  source
    .command('add <alias> [url]')
    .description('add a TUF-signed registry; trust is anchored by the root fingerprint or file')
    .option('--mirror <url>', 'another URL serving the same registry (repeatable, tried in order)', collect)
    .option('--root-sha256 <hex>', "sha256 of the registry's metadata/1.root.json")
    .option('--root-file <path>', "a trusted copy of the registry's 1.root.json")
    .option('--priority <n>', 'lower is tried first', (v) => Number(v))
    .option(
      '--official',
      "the marketplace's official GitHub and Gitee mirrors (registry/sources.json) instead of a URL",
    )
    .addOption(
      new Option('--type <type>', 'wxauto: <url> is a legacy WXAUTO-MGT registry.json (unsigned, no root)')
        .choices(['tuf', 'wxauto'])
        .default('tuf'),
    )
    .action(
      async (
        alias: string,
        url: string | undefined,
        o: {
          mirror?: string[];
          rootSha256?: string;
          rootFile?: string;
          priority?: number;
          official?: boolean;
          type?: 'tuf' | 'wxauto';
        },
      ) => {
        const official = o.official
          ? (await import('../../sources/official-sources.js')).officialSource(alias)
          : undefined;
        const mirrors = [...(official?.mirrors ?? []), ...(url ? [url] : []), ...(o.mirror ?? [])];
        if (!mirrors[0]) throw new WharfError('E_USAGE', 'source add needs a URL, or --official.');
        const s = await ctx.client().addSource({
          alias,
          url: mirrors[0],
          mirrors: mirrors.slice(1),
          rootSha256: o.rootSha256 ?? official?.root_sha256,
          rootFile: o.rootFile,
          priority: o.priority,
          type: o.type,
        });
        ctx
          .out()
          .result(s, () => [
            `added source ${s.alias} (${s.mirrors.join(', ')})`,
            s.type === 'wxauto'
              ? 'legacy WXAUTO-MGT source: unverified, installs need --allow-unpinned'
              : `root sha256 ${s.root_sha256}`,
            'next: wharf refresh',
          ]);
      },
    );
  source
    .command('list')
    .description('list configured sources')
    .action(() => {
      const cfg = ctx.client().sources();
      ctx
        .out()
        .result(cfg, () =>
          cfg.sources.length === 0
            ? 'no sources; add one with `wharf source add <alias> <url> --root-sha256 <hex>`'
            : cfg.sources.map(
                (s) =>
                  `${s.alias === (cfg.current ?? cfg.sources[0]?.alias) ? '*' : ' '} ${s.alias}\t${s.type}\tpriority ${s.priority}\t${s.mirrors.join(' ')}`,
              ),
        );
    });
  source
    .command('remove <alias>')
    .description('forget a source, its trusted metadata and cached index')
    .action((alias: string) => {
      ctx.client().removeSource(alias);
      ctx.out().result({ removed: alias }, () => `removed source ${alias}`);
    });
  source
    .command('use <alias>')
    .description('make a source current: its plugins are addressed by bare id')
    .action((alias: string) => {
      ctx.client().useSource(alias);
      ctx.out().result({ current: alias }, () => `current source: ${alias}`);
    });
  source
    .command('test [alias]')
    .description('verify each mirror on its own and report its latency and health (trusted state is untouched)')
    .action(async (alias?: string) => {
      const c = ctx.client();
      requireSource(c);
      const r = await c.testSources(alias);
      ctx
        .out()
        .result(r, () =>
          r.flatMap((s) => [
            `${s.alias}:`,
            ...s.mirrors.map(
              (m) =>
                `  ${m.ok ? 'ok  ' : 'FAIL'} ${String(m.latency_ms).padStart(6)} ms  ${m.mirror}${m.ok ? `  targets v${m.targets_version}` : `  ${m.reason}: ${m.message}`}`,
            ),
          ]),
        );
      if (r.length > 0 && r.every((s) => s.mirrors.every((m) => !m.ok))) process.exitCode = 1;
    });
}
