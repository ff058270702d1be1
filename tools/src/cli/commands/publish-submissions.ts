import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  type AdminCommandContext,
  DEFAULT_BOT_LOGIN,
  EXIT_FAILED,
  githubFromEnv,
  parseIssueNumber,
  readText,
} from './context.js';

interface Opts {
  repo: string;
  workdir: string;
  registrySubdir: string;
  keys?: string;
  issue: number[];
  branch: string;
  mirror: boolean;
  mirrorRemote: string;
  giteeApi?: string;
  apiUrl?: string;
  botLogin: string;
  form?: string;
  maintainers?: string;
}

export function registerPublishSubmissions(ctx: AdminCommandContext): void {
  ctx
    .sub(ctx.program, 'publish-submissions')
    .description('reconcile every approved, unpublished submission: re-download, compare digests, add, sign, push')
    .requiredOption('--repo <owner/repo>', 'the marketplace repository')
    .requiredOption('--workdir <dir>', 'a clone of the marketplace repo (remotes origin and the mirror)')
    .option('--registry-subdir <dir>', 'registry directory inside the clone', 'registry')
    .option('--keys <dir>', 'TUF online keys dir (default <registry>.keys beside it)')
    .option('--issue <n>', 'only this issue (repeatable)', (v: string, p: number[]) => [...p, parseIssueNumber(v)], [])
    .option('--branch <name>', 'branch to publish', 'main')
    .option('--no-mirror', 'do not push the mirror remote')
    .option('--mirror-remote <name>', 'the mirror remote', 'gitee')
    .option('--gitee-api <url>', 'Gitee v5 API base for mirror release URLs')
    .option('--api-url <url>', 'GitHub REST base URL; token from $GITHUB_TOKEN')
    .option('--bot-login <login>', 'the account the bot posts as', DEFAULT_BOT_LOGIN)
    .option('--form <file>', 'submission form YAML (default: in the clone)')
    .option('--maintainers <file>', 'maintainers list (default: registry/MAINTAINERS in the clone)')
    .action(async (o: Opts, cmd: Command) => {
      const [{ readMaintainers }, { publishSubmissions }, { defaultKeysDir }] = await Promise.all([
        import('../../publish-bot/maintainers.js'),
        import('../../publish-bot/publish-submissions.js'),
        import('../../tuf/keys.js'),
      ]);
      const workdir = resolve(o.workdir);
      const registryDir = join(workdir, o.registrySubdir);
      const r = await publishSubmissions({
        gh: await githubFromEnv(o.apiUrl),
        repo: o.repo,
        workdir,
        registrySubdir: o.registrySubdir,
        keysDir: o.keys ?? defaultKeysDir(registryDir),
        maintainers: readMaintainers(o.maintainers ?? join(registryDir, 'MAINTAINERS')),
        botLogin: o.botLogin,
        formYaml: readText(o.form ?? join(workdir, '.github', 'ISSUE_TEMPLATE', 'plugin-submission.yml'), 'form'),
        ...(o.issue.length ? { issues: o.issue } : {}),
        branch: o.branch,
        mirrorRemote: o.mirror ? o.mirrorRemote : null,
        ...(o.giteeApi ? { giteeApi: o.giteeApi } : {}),
      });
      const human = [
        ...r.published.map((p) => `published ${p.id}@${p.version} (#${p.issue})`),
        ...r.alreadyPublished.map((p) => `already published ${p.id}@${p.version} (#${p.issue})`),
        ...r.refused.map((p) => `refused #${p.issue}: ${p.code}: ${p.message}`),
        r.commit ? `commit ${r.commit} after ${r.attempts} attempt(s)` : 'nothing to commit',
        // A lagging mirror is reported, not a failure: the publish is on origin and mirror-sync catches up.
        ...(r.mirror
          ? [`mirror ${r.mirror.remote}: ${r.mirror.code ? `${r.mirror.code}: ` : ''}${r.mirror.error ?? 'pushed'}`]
          : []),
      ].join('\n');
      ctx.out(cmd, human, r);
      if (r.refused.length > 0) ctx.setExit(EXIT_FAILED);
    });
}
