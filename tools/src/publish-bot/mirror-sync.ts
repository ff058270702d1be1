import { type Registry, WharfError } from '@wharf/schemas';
import { commitsBehind, openGit, redactUrls } from './git-publish.js';

export interface MirrorSyncOptions {
  workdir: string;
  from?: string;
  to?: string;
  branch?: string;
  registrySubdir?: string;
  /** Largest allowed loss of entries, as a share (default 0.05). */
  maxShrink?: number;
}

export interface MirrorSyncResult {
  pushed: boolean;
  before: number;
  after: number;
}

async function countAt(workdir: string, ref: string, path: string): Promise<number | undefined> {
  try {
    const text = await openGit(workdir).show([`${ref}:${path}`]);
    return (JSON.parse(text) as Registry).plugins.length;
  } catch {
    return undefined;
  }
}

/**
 * Pushes origin's branch to the mirror remote unless the index lost more than `maxShrink` of its entries compared
 * with what the mirror serves now (E_MIRROR_SHRINK): a truncated or emptied registry.json is a mistake or an
 * attack, and a mirror must not spread it.
 */
export async function mirrorSync(opts: MirrorSyncOptions): Promise<MirrorSyncResult> {
  const from = opts.from ?? 'origin';
  const to = opts.to ?? 'gitee';
  const branch = opts.branch ?? 'main';
  const path = `${opts.registrySubdir ?? 'registry'}/registry.json`;
  const git = openGit(opts.workdir);
  await git.fetch(from, branch);
  await git.fetch(to, branch).catch(() => undefined);
  const after = await countAt(opts.workdir, `refs/remotes/${from}/${branch}`, path);
  if (after === undefined) throw new WharfError('E_NOT_FOUND', `${from}/${branch} has no readable ${path}.`);
  const before = (await countAt(opts.workdir, `refs/remotes/${to}/${branch}`, path)) ?? 0;
  const limit = opts.maxShrink ?? 0.05;
  if (before > 0 && after < before * (1 - limit)) {
    throw new WharfError(
      'E_MIRROR_SHRINK',
      `${from}/${branch} lists ${after} plugins but the mirror serves ${before}: more than ${Math.round(limit * 100)}% would disappear; not pushing.`,
      { before, after },
    );
  }
  try {
    await git.push(to, `refs/remotes/${from}/${branch}:refs/heads/${branch}`, ['--force']);
  } catch (e) {
    const behind = await commitsBehind(opts.workdir, to, branch, from);
    throw new WharfError(
      'E_MIRROR_LAG',
      `the push to ${to} failed, so it still serves an older registry${behind !== undefined ? ` (${behind} commit(s) behind ${from}/${branch})` : ''}: ${redactUrls(String((e as Error).message).trim()).slice(0, 300)}`,
      { remote: to, ...(behind !== undefined ? { behind } : {}) },
    );
  }
  return { pushed: true, before, after };
}
