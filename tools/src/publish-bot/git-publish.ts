import { type SimpleGit, simpleGit } from 'simple-git';

export interface GitPublishOptions {
  workdir: string;
  branch: string;
  /** Applies the change on a fresh checkout of origin/branch; returns the commit message, or undefined for no change. */
  apply: () => Promise<string | undefined>;
  /** Paths (relative to workdir) to commit. */
  paths: string[];
  maxAttempts?: number;
  author?: { name: string; email: string };
}

export interface GitPublishResult {
  commit?: string;
  attempts: number;
}

const REJECTED = /rejected|non-fast-forward|fetch first|failed to push|stale info|cannot lock ref/i;

export function openGit(workdir: string): SimpleGit {
  return simpleGit({ baseDir: workdir, maxConcurrentProcesses: 1 });
}

/**
 * Commit and push to origin, retrying on non-fast-forward. Each attempt re-applies the change to a fresh
 * origin/branch instead of a textual `git rebase`: two publishes both bump the same TUF metadata versions, so their
 * signed files always conflict, while re-applying the registry edit and re-signing on top of the winner is exact.
 * Re-applying is idempotent (addRelease skips a release already present), so each approval lands exactly once.
 */
export async function commitAndPush(opts: GitPublishOptions): Promise<GitPublishResult> {
  const git = openGit(opts.workdir);
  const author = opts.author ?? { name: 'wharf-bot', email: 'wharf-bot@users.noreply.github.com' };
  await git.addConfig('user.name', author.name).addConfig('user.email', author.email);
  const max = opts.maxAttempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    await git.fetch('origin', opts.branch);
    await git.checkout(['-f', '-B', opts.branch, `origin/${opts.branch}`]);
    await git.clean('f', ['-d', '--', ...opts.paths]);
    const message = await opts.apply();
    if (message === undefined) return { attempts: attempt };
    await git.add(['--', ...opts.paths]);
    const status = await git.status();
    if (status.staged.length === 0 && status.created.length === 0) return { attempts: attempt };
    const commit = await git.commit(message);
    try {
      await git.push('origin', `HEAD:refs/heads/${opts.branch}`);
      return { commit: commit.commit, attempts: attempt };
    } catch (e) {
      if (!REJECTED.test(String((e as Error).message)) || attempt >= max) throw e;
      // Jittered backoff so concurrent publishers spread out.
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200 * attempt));
    }
  }
}

/** What a mirror push did. `code` is set when the mirror now serves an older registry than origin. */
export interface MirrorPush {
  remote: string;
  code?: 'E_MIRROR_LAG';
  /** A human sentence: why the push failed (or that no mirror remote is configured). */
  error?: string;
  /** Commits the mirror's branch is behind origin's, when the mirror could still be read. */
  behind?: number;
}

/** A remote URL with credentials in it (`https://user:token@host`) never reaches a log through git's message. */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@');
}

/**
 * Pushes the published branch to the mirror remote (Gitee). A failure is reported, not fatal: the publish already
 * landed on origin, and the next `wharf-admin mirror sync` (scheduled in mirror-sync.yml) pushes the same commits.
 */
export async function pushMirror(workdir: string, remote: string, branch: string): Promise<MirrorPush> {
  const git = openGit(workdir);
  const remotes = await git.getRemotes();
  if (!remotes.some((r) => r.name === remote)) return { remote, error: `no remote "${remote}" configured` };
  try {
    await git.push(remote, `refs/remotes/origin/${branch}:refs/heads/${branch}`, ['--force']);
    return { remote };
  } catch (e) {
    const why = redactUrls(String((e as Error).message).trim()).slice(0, 300);
    const behind = await commitsBehind(workdir, remote, branch);
    return {
      remote,
      code: 'E_MIRROR_LAG',
      error: `the push to ${remote} failed, so it serves an older registry${behind !== undefined ? ` (${behind} commit(s) behind origin/${branch})` : ''} until \`wharf-admin mirror sync\` succeeds: ${why}`,
      ...(behind !== undefined ? { behind } : {}),
    };
  }
}

/** How far `remote`'s branch is behind `from`'s, read fresh from the mirror; undefined when it can't be read. */
export async function commitsBehind(
  workdir: string,
  remote: string,
  branch: string,
  from = 'origin',
): Promise<number | undefined> {
  const git = openGit(workdir);
  try {
    await git.fetch(remote, branch);
    const n = await git.raw([
      'rev-list',
      '--count',
      `refs/remotes/${remote}/${branch}..refs/remotes/${from}/${branch}`,
    ]);
    return Number(n.trim());
  } catch {
    return undefined;
  }
}
