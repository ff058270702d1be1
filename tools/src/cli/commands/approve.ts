import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WharfError } from '@wharf/schemas';
import type { Command } from 'commander';
import { type AdminCommandContext, DEFAULT_BOT_LOGIN, EXIT_FAILED, githubFromEnv, repoRef } from './context.js';

interface CommentEvent {
  issue?: { number?: number };
  comment?: { body?: string; user?: { id?: number; login?: string } };
  repository?: { full_name?: string };
}

export function registerApprove(ctx: AdminCommandContext): void {
  ctx
    .sub(ctx.program, 'approve')
    .description('handle an issue comment: /approve <digest-prefix> or /reject <reason> from a maintainer')
    .option('--event <file>', 'the issue_comment event JSON (default $GITHUB_EVENT_PATH)')
    .option('--maintainers <file>', 'maintainers list', join('registry', 'MAINTAINERS'))
    .option('--api-url <url>', 'GitHub REST base URL; token from $GITHUB_TOKEN')
    .option('--bot-login <login>', 'the account the bot posts as', DEFAULT_BOT_LOGIN)
    .action(async (o: { event?: string; maintainers: string; apiUrl?: string; botLogin: string }, cmd: Command) => {
      const path = o.event ?? process.env.GITHUB_EVENT_PATH;
      if (!path) throw new WharfError('E_USAGE', 'give --event <file> or set GITHUB_EVENT_PATH');
      // The event is read here, in Node, never interpolated into a shell (DESIGN §5, workflow rules).
      const ev = JSON.parse(readFileSync(path, 'utf8')) as CommentEvent;
      const ref = repoRef(ev.repository?.full_name ?? '', ev.issue?.number ?? 0);
      const user = ev.comment?.user;
      if (!user || typeof user.id !== 'number') throw new WharfError('E_USAGE', 'the event has no comment author id');
      const [{ handleComment }, { readMaintainers }] = await Promise.all([
        import('../../publish-bot/approve.js'),
        import('../../publish-bot/maintainers.js'),
      ]);
      const r = await handleComment(
        await githubFromEnv(o.apiUrl),
        ref,
        { body: ev.comment?.body ?? '', user: { id: user.id, login: user.login ?? '' } },
        readMaintainers(o.maintainers),
        o.botLogin,
      );
      ctx.out(cmd, `${r.action}${r.code ? ` (${r.code})` : ''}: ${r.message}`, r);
      if (r.action === 'refused') ctx.setExit(EXIT_FAILED);
    });
}
