import { join, resolve } from 'node:path';
import { WharfError } from '@wharf/schemas';
import type { Command } from 'commander';
import { type AdminCommandContext, githubFromEnv } from './context.js';

interface Opts {
  registry: string;
  workdir?: string;
  registrySubdir: string;
  keys?: string;
  branch: string;
  mirror: boolean;
  mirrorRemote: string;
  apiUrl?: string;
  giteeApi?: string;
  concurrency: string;
  dryRun?: boolean;
}

/** `wharf-admin stats`: release-asset downloads and stars from GitHub and Gitee, written through the publish path. */
export function registerStats(ctx: AdminCommandContext): void {
  ctx
    .sub(ctx.program, 'stats')
    .description("count each plugin's release downloads and stars (GitHub, Gitee) and publish the numbers that changed")
    .option('--registry <dir>', 'registry directory to update and re-sign in place (without --workdir)', 'registry')
    .option('--workdir <dir>', 'a clone of the marketplace repo: commit, re-sign, push origin then the mirror')
    .option('--registry-subdir <dir>', 'registry directory inside the clone', 'registry')
    .option('--keys <dir>', 'TUF online keys dir (default <registry>.keys beside it)')
    .option('--branch <name>', 'branch to publish', 'main')
    .option('--no-mirror', 'do not push the mirror remote')
    .option('--mirror-remote <name>', 'the mirror remote', 'gitee')
    .option('--api-url <url>', 'GitHub REST base URL; token from $GITHUB_TOKEN')
    .option('--gitee-api <url>', 'Gitee v5 API base; token from $GITEE_TOKEN')
    .option('--concurrency <n>', 'plugins counted at once', '4')
    .option('--dry-run', 'count and show what would change; write nothing')
    .action(async (o: Opts, cmd: Command) => {
      const concurrency = Number(o.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32)
        throw new WharfError(
          'E_USAGE',
          `--concurrency takes an integer from 1 to 32, got ${JSON.stringify(o.concurrency)}`,
        );
      const [{ publishStats, updateStatsLocal }, { defaultKeysDir }] = await Promise.all([
        import('../../stats/publish-stats.js'),
        import('../../tuf/keys.js'),
      ]);
      const giteeToken = process.env.GITEE_TOKEN;
      const common = {
        gh: await githubFromEnv(o.apiUrl),
        gitee: {
          ...(o.giteeApi ? { apiBase: o.giteeApi } : {}),
          ...(giteeToken ? { token: giteeToken } : {}),
          onWait: (s: number, path: string) =>
            ctx.io.stderr.write(`Gitee rate limit: waiting ${s} s before retrying GET ${path}\n`),
        },
        concurrency,
        // Progress for long runs, on stderr so --json stays one document on stdout.
        onProgress: (done: number, total: number) => {
          if (done % 25 === 0 || done === total) ctx.io.stderr.write(`stats: ${done}/${total} plugins counted\n`);
        },
        dryRun: Boolean(o.dryRun),
      };
      const r = o.workdir
        ? await (async () => {
            const workdir = resolve(o.workdir as string);
            return publishStats({
              ...common,
              workdir,
              registrySubdir: o.registrySubdir,
              keysDir: o.keys ?? defaultKeysDir(join(workdir, o.registrySubdir)),
              branch: o.branch,
              mirrorRemote: o.mirror ? o.mirrorRemote : null,
            });
          })()
        : await updateStatsLocal(o.registry, { ...common, keysDir: o.keys ?? defaultKeysDir(o.registry) });
      const human = [
        `counted ${r.counted} ${r.counted === 1 ? 'plugin' : 'plugins'}; ${r.changes.length} changed${r.dry_run ? ' (dry run: nothing written)' : ''}`,
        ...r.changes.map(
          (c) =>
            `  ${c.plugin_id}  downloads ${c.before.downloads} → ${c.after.downloads}  stars ${c.before.stars} → ${c.after.stars}`,
        ),
        ...r.failed.map((f) => `kept old numbers of ${f.plugin_id}: ${f.code}: ${f.message}`),
        ...r.skipped.map((s) => `skipped ${s.plugin_id}: ${s.reason}`),
        ...(r.dry_run
          ? []
          : o.workdir
            ? [r.commit ? `commit ${r.commit} after ${r.attempts} attempt(s)` : 'no number changed: no commit']
            : [r.signed ? 'registry updated and re-signed' : 'no number changed: registry untouched']),
        ...(r.mirror
          ? [`mirror ${r.mirror.remote}: ${r.mirror.code ? `${r.mirror.code}: ` : ''}${r.mirror.error ?? 'pushed'}`]
          : []),
      ].join('\n');
      ctx.out(cmd, human, r);
    });
}
