import type { ErrorCode, ReviewReport } from '@wharf/schemas';
import { comment, type IssueComment, type IssueRef, listComments, setLabels } from '../github/issues.js';
import type { GitHub } from '../github/octokit.js';
import { escapeMarkdown, extractReport, LABELS, STICKY_MARKER } from '../review/render-report.js';

export const APPROVE_RE = /^\/approve[ \t]+([0-9a-f]{8,64})[ \t]*$/m;
const REJECT_RE = /^\/reject(?:[ \t]+(.*))?$/m;
const MIN_PREFIX = 12;

export interface CommandOutcome {
  action: 'approved' | 'rejected' | 'refused' | 'ignored';
  code?: ErrorCode;
  message: string;
}

/** The review report the bot posted on an issue (only the bot's own sticky comment counts). */
export function latestBotReport(comments: IssueComment[], botLogin: string): ReviewReport | undefined {
  const mine = comments.filter((c) => c.user.login === botLogin && c.body.startsWith(STICKY_MARKER));
  const last = mine.at(-1);
  return last ? extractReport(last.body) : undefined;
}

/** Does `prefix` (from an /approve comment) name the reviewed wasm digest? */
export function approvalMatches(prefix: string, report: ReviewReport): boolean {
  return prefix.length >= MIN_PREFIX && report.digests.wasm_sha256.startsWith(prefix.toLowerCase());
}

/** A maintainer's valid /approve comment for exactly this report, if any. */
export function findApproval(
  comments: IssueComment[],
  report: ReviewReport,
  maintainers: Set<number>,
): IssueComment | undefined {
  return comments.find((c) => {
    const m = APPROVE_RE.exec(c.body);
    return m?.[1] !== undefined && maintainers.has(c.user.id) && approvalMatches(m[1], report);
  });
}

/**
 * Handles one issue comment: `/approve <digest-prefix>` or `/reject <reason>` from a maintainer (by numeric id).
 * Anyone else gets a polite E_NOT_MAINTAINER reply; a prefix that doesn't name the reviewed bytes gets E_DIGEST_CHANGED.
 */
export async function handleComment(
  gh: GitHub,
  ref: IssueRef,
  c: Pick<IssueComment, 'body' | 'user'>,
  maintainers: Set<number>,
  botLogin: string,
): Promise<CommandOutcome> {
  const approve = APPROVE_RE.exec(c.body);
  const reject = approve ? null : REJECT_RE.exec(c.body);
  if (!approve && !reject) {
    if (/^\/approve\b/m.test(c.body)) {
      const message = `Usage: \`/approve <first ${MIN_PREFIX}+ hex digits of the reviewed wasm sha256>\`.`;
      await comment(gh, ref, message);
      return { action: 'refused', code: 'E_USAGE', message };
    }
    return { action: 'ignored', message: 'not a command' };
  }
  if (!maintainers.has(c.user.id)) {
    const message = `Thanks, ${escapeMarkdown(c.user.login)}, but only maintainers listed in \`registry/MAINTAINERS\` can ${approve ? 'approve' : 'reject'} submissions (\`E_NOT_MAINTAINER\`). A maintainer will take a look.`;
    await comment(gh, ref, message);
    return { action: 'refused', code: 'E_NOT_MAINTAINER', message };
  }
  if (reject) {
    const reason = escapeMarkdown((reject[1] ?? '').slice(0, 500)) || 'no reason given';
    await comment(gh, ref, `Rejected by a maintainer: ${reason}`);
    await setLabels(gh, ref, { add: [LABELS.rejected], remove: [LABELS.needsReview, LABELS.approved] });
    await gh.rest.issues.update({
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.issue,
      state: 'closed',
      state_reason: 'not_planned',
    });
    return { action: 'rejected', message: 'rejected' };
  }
  const prefix = approve?.[1] as string;
  const report = latestBotReport(await listComments(gh, ref), botLogin);
  if (!report) {
    const message = 'There is no review report on this issue yet, so there is nothing to approve (`E_NOT_FOUND`).';
    await comment(gh, ref, message);
    return { action: 'refused', code: 'E_NOT_FOUND', message };
  }
  if (!approvalMatches(prefix, report)) {
    const message = `\`${prefix}\` is not (a ${MIN_PREFIX}+ digit prefix of) the reviewed wasm sha256 \`${report.digests.wasm_sha256}\`; approvals bind to reviewed bytes (\`E_DIGEST_CHANGED\`).`;
    await comment(gh, ref, message);
    return { action: 'refused', code: 'E_DIGEST_CHANGED', message };
  }
  if (!report.passed) {
    const message = 'The review did not pass, so it cannot be approved (`E_SUBMISSION_INVALID`).';
    await comment(gh, ref, message);
    return { action: 'refused', code: 'E_SUBMISSION_INVALID', message };
  }
  await setLabels(gh, ref, { add: [LABELS.approved], remove: [LABELS.needsReview, LABELS.changesRequested] });
  const message = `Approved \`${report.plugin_id}@${report.version}\` (wasm sha256 \`${report.digests.wasm_sha256.slice(0, 16)}…\`). Publishing will re-download and compare every digest.`;
  await comment(gh, ref, message);
  return { action: 'approved', message };
}
