import type { GitHub } from './octokit.js';

export interface IssueRef {
  owner: string;
  repo: string;
  issue: number;
}

export interface IssueComment {
  id: number;
  body: string;
  user: { id: number; login: string; type?: string };
  created_at: string;
}

export function splitSlug(slug: string): { owner: string; repo: string } {
  const [owner, repo] = slug.split('/') as [string, string];
  return { owner, repo };
}

export async function listComments(gh: GitHub, ref: IssueRef): Promise<IssueComment[]> {
  const all = await gh.paginate(gh.rest.issues.listComments, {
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.issue,
    per_page: 100,
  });
  return all.map((c) => ({
    id: c.id,
    body: c.body ?? '',
    user: { id: c.user?.id ?? 0, login: c.user?.login ?? '', ...(c.user?.type ? { type: c.user.type } : {}) },
    created_at: c.created_at,
  }));
}

/** Updates the bot's one comment that starts with `marker`, or creates it. */
export async function upsertStickyComment(
  gh: GitHub,
  ref: IssueRef,
  marker: string,
  body: string,
  botLogin: string,
): Promise<number> {
  const mine = (await listComments(gh, ref)).find((c) => c.user.login === botLogin && c.body.startsWith(marker));
  if (mine) {
    await gh.rest.issues.updateComment({ owner: ref.owner, repo: ref.repo, comment_id: mine.id, body });
    return mine.id;
  }
  const r = await gh.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.issue, body });
  return r.data.id;
}

export async function setLabels(gh: GitHub, ref: IssueRef, change: { add: string[]; remove: string[] }): Promise<void> {
  if (change.add.length > 0)
    await gh.rest.issues.addLabels({ owner: ref.owner, repo: ref.repo, issue_number: ref.issue, labels: change.add });
  for (const name of change.remove) {
    try {
      await gh.rest.issues.removeLabel({ owner: ref.owner, repo: ref.repo, issue_number: ref.issue, name });
    } catch (e) {
      if ((e as { status?: number }).status !== 404) throw e;
    }
  }
}

export async function comment(gh: GitHub, ref: IssueRef, body: string): Promise<void> {
  await gh.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.issue, body });
}
