import { join } from 'node:path';
import { parseSignature } from '@wharf/client';
import {
  type ErrorCode,
  isWharfError,
  type Manifest,
  type ReviewReport,
  type Submission,
  WharfError,
} from '@wharf/schemas';
import {
  DEFAULT_CAPS,
  type DownloadCaps,
  type FetchedRelease,
  fetchRelease,
  sha256Hex,
} from '../github/fetch-release.js';
import { giteeMirrorUrl } from '../github/gitee.js';
import { comment, type IssueRef, listComments, setLabels } from '../github/issues.js';
import type { GitHub } from '../github/octokit.js';
import { addReleaseDetailed, keptReadme } from '../registry/add-release.js';
import { openRegistryEdit } from '../registry/registry-edit.js';
import { escapeMarkdown, LABELS } from '../review/render-report.js';
import { reviewRelease } from '../review/review-release.js';
import { parseSubmission } from '../submission/parse-submission.js';
import { findApproval, latestBotReport } from './approve.js';
import { commitAndPush, type MirrorPush, pushMirror } from './git-publish.js';

export interface PublishSubmissionsOptions {
  gh: GitHub;
  /** owner/repo of the marketplace (where the submission issues are). */
  repo: string;
  /** A clone of the marketplace repo with `origin` (GitHub) and optionally a mirror remote. */
  workdir: string;
  registrySubdir?: string;
  keysDir: string;
  maintainers: Set<number>;
  botLogin: string;
  formYaml: string;
  /** Only these issues (default: every open approved, unpublished submission). */
  issues?: number[];
  branch?: string;
  mirrorRemote?: string | null;
  giteeApi?: string;
  caps?: DownloadCaps;
  maxAttempts?: number;
  now?: Date;
}

export interface PublishSubmissionsResult {
  published: { issue: number; id: string; version: string }[];
  alreadyPublished: { issue: number; id: string; version: string }[];
  refused: { issue: number; code: ErrorCode; message: string }[];
  commit?: string;
  attempts: number;
  /** The mirror push; `code: 'E_MIRROR_LAG'` when it failed and the mirror serves an older registry. */
  mirror?: MirrorPush;
}

interface Prepared {
  ref: IssueRef;
  submission: Submission;
  report: ReviewReport;
  manifest: Manifest;
  fetched: FetchedRelease;
  urls: string[];
  mirrorRepo?: string;
}

/**
 * `wharf-admin publish-submissions`: reconciles every approved, unpublished submission. For each: the approval must
 * be by a maintainer and name the reviewed digest; the release is downloaded again and every digest compared
 * (E_DIGEST_CHANGED if anything moved). Then one commit adds them all, re-signs the TUF metadata and pushes to
 * origin (re-applying on non-fast-forward), then to the mirror; issues are labelled `published` and closed.
 */
export async function publishSubmissions(opts: PublishSubmissionsOptions): Promise<PublishSubmissionsResult> {
  const [owner, repo] = opts.repo.split('/') as [string, string];
  const branch = opts.branch ?? 'main';
  const subdir = opts.registrySubdir ?? 'registry';
  const result: PublishSubmissionsResult = { published: [], alreadyPublished: [], refused: [], attempts: 0 };

  const numbers =
    opts.issues ??
    (
      await opts.gh.paginate(opts.gh.rest.issues.listForRepo, {
        owner,
        repo,
        state: 'open',
        labels: `${LABELS.submission},${LABELS.approved}`,
        per_page: 100,
      })
    )
      .filter(
        (i) => !i.pull_request && !i.labels.some((l) => (typeof l === 'string' ? l : l.name) === LABELS.published),
      )
      .map((i) => i.number);

  const prepared: Prepared[] = [];
  for (const n of numbers.sort((a, b) => a - b)) {
    const ref = { owner, repo, issue: n };
    try {
      prepared.push(await prepare(opts, ref));
    } catch (e) {
      const err = isWharfError(e) ? e : new WharfError('E_IO', String((e as Error).message ?? e));
      result.refused.push({ issue: n, code: err.code, message: err.message });
      await comment(opts.gh, ref, `Publishing refused (\`${err.code}\`): ${escapeMarkdown(err.message)}`).catch(
        () => {},
      );
      if (err.code === 'E_DIGEST_CHANGED' || err.code === 'E_SIG_INVALID' || err.code === 'E_SIG_BINDING')
        await setLabels(opts.gh, ref, { add: [LABELS.changesRequested], remove: [LABELS.approved] }).catch(() => {});
    }
  }
  if (prepared.length === 0) return result;

  const registryDir = join(opts.workdir, subdir);
  let landed: Prepared[] = [];
  let already: Prepared[] = [];
  let refusedNow: PublishSubmissionsResult['refused'] = [];
  const pushed = await commitAndPush({
    workdir: opts.workdir,
    branch,
    paths: [subdir],
    ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
    apply: async () => {
      landed = [];
      already = [];
      refusedNow = [];
      // Layout-aware: a sharded registry loads, rewrites and re-signs only these plugins' files and bins.
      const edit = await openRegistryEdit(
        registryDir,
        prepared.map((p) => p.manifest.id),
      );
      let { registry } = edit;
      for (const p of prepared) {
        try {
          const existing = registry.plugins.find((x) => x.plugin_id === p.manifest.id);
          if (existing?.repo_id !== undefined && existing.repo_id !== p.fetched.repo.id) {
            throw new WharfError(
              'E_REPO_ID_MISMATCH',
              `${p.manifest.id} is pinned to repository id ${existing.repo_id}, but ${p.fetched.repo.fullName} has id ${p.fetched.repo.id}.`,
            );
          }
          const minisig = Buffer.from(p.fetched.assets.minisig.bytes).toString('utf8');
          const readme = keptReadme(p.fetched.readme);
          const outcome = addReleaseDetailed(registry, {
            manifest: p.manifest,
            artifact: {
              name: p.manifest.wasm || 'plugin.wasm',
              size: p.fetched.assets.wasm.bytes.length,
              sha256: p.report.digests.wasm_sha256,
              urls: p.urls,
            },
            minisig,
            keyid: parseSignature(minisig).keyid,
            publicKey: p.submission.public_key,
            tag: p.fetched.release.tag,
            ...(readme ? { readme } : {}),
            ...(opts.now ? { now: opts.now } : {}),
          });
          if (!outcome.changed) {
            already.push(p);
            continue;
          }
          const plugin = outcome.plugin;
          plugin.repo_id = p.fetched.repo.id;
          plugin.owner_id = p.fetched.repo.ownerId;
          plugin.repository = {
            primary: {
              url: p.fetched.repo.htmlUrl,
              api_url: `https://api.github.com/repos/${p.fetched.repo.fullName}`,
              releases_url: `${p.fetched.repo.htmlUrl}/releases`,
            },
            ...(p.mirrorRepo
              ? {
                  mirror: {
                    url: `https://gitee.com/${p.mirrorRepo}`,
                    api_url: `https://gitee.com/api/v5/repos/${p.mirrorRepo}`,
                    releases_url: `https://gitee.com/${p.mirrorRepo}/releases`,
                  },
                }
              : {}),
          };
          const release = plugin.releases.find((r) => r.version === p.manifest.version);
          if (release)
            release.review = {
              issue: p.ref.issue,
              security_score: p.report.security_score,
              quality_score: p.report.quality_score,
              checks: p.report.checks,
              reviewed_at: p.report.reviewed_at,
              tool_version: p.report.tool_version,
            };
          registry = outcome.registry;
          landed.push(p);
        } catch (e) {
          const err = isWharfError(e) ? e : new WharfError('E_IO', String((e as Error).message ?? e));
          refusedNow.push({ issue: p.ref.issue, code: err.code, message: err.message });
        }
      }
      if (landed.length === 0) return undefined;
      await edit.save(registry, { sign: true, keysDir: opts.keysDir, ...(opts.now ? { now: opts.now } : {}) });
      // Built only from validated fields (ids, SemVer versions, issue numbers).
      const items = landed.map((p) => `${p.manifest.id}@${p.manifest.version} (#${p.ref.issue})`);
      return `registry: publish ${items.join(', ')}`;
    },
  });
  result.attempts = pushed.attempts;
  if (pushed.commit) result.commit = pushed.commit;
  result.refused.push(...refusedNow);
  if (opts.mirrorRemote !== null) {
    result.mirror = await pushMirror(opts.workdir, opts.mirrorRemote ?? 'gitee', branch);
  }
  for (const r of refusedNow) {
    const ref = { owner, repo, issue: r.issue };
    await comment(opts.gh, ref, `Publishing refused (\`${r.code}\`): ${escapeMarkdown(r.message)}`).catch(() => {});
  }
  for (const [list, target] of [
    [landed, result.published],
    [already, result.alreadyPublished],
  ] as const) {
    for (const p of list) {
      target.push({ issue: p.ref.issue, id: p.manifest.id, version: p.manifest.version });
      await setLabels(opts.gh, p.ref, { add: [LABELS.published], remove: [LABELS.approved, LABELS.needsReview] });
      await comment(
        opts.gh,
        p.ref,
        `Published \`${p.manifest.id}@${p.manifest.version}\`. Install it with:\n\n\`\`\`\nwharf install ${p.manifest.id}@${p.manifest.version}\n\`\`\``,
      );
      await opts.gh.rest.issues.update({
        owner,
        repo,
        issue_number: p.ref.issue,
        state: 'closed',
        state_reason: 'completed',
      });
    }
  }
  return result;
}

async function prepare(opts: PublishSubmissionsOptions, ref: IssueRef): Promise<Prepared> {
  const issue = (await opts.gh.rest.issues.get({ owner: ref.owner, repo: ref.repo, issue_number: ref.issue })).data;
  const submission = parseSubmission(issue.body ?? '', opts.formYaml);
  const comments = await listComments(opts.gh, ref);
  const report = latestBotReport(comments, opts.botLogin);
  if (!report) throw new WharfError('E_NOT_FOUND', 'the issue has no review report from the bot');
  if (report.plugin_id !== submission.plugin_id)
    throw new WharfError('E_SUBMISSION_INVALID', 'the review report is for another plugin id');
  if (!report.passed) throw new WharfError('E_SUBMISSION_INVALID', 'the review did not pass');
  if (!findApproval(comments, report, opts.maintainers))
    throw new WharfError('E_NOT_MAINTAINER', 'no maintainer approved the reviewed digest');
  const fetched = await fetchRelease(opts.gh, submission.repository, submission.tag, opts.caps ?? DEFAULT_CAPS);
  const now = {
    wasm: sha256Hex(fetched.assets.wasm.bytes),
    minisig: sha256Hex(fetched.assets.minisig.bytes),
    manifest: sha256Hex(fetched.assets.manifest.bytes),
  };
  const moved = [
    now.wasm !== report.digests.wasm_sha256 ? 'plugin.wasm' : '',
    now.minisig !== report.digests.minisig_sha256 ? 'plugin.wasm.minisig' : '',
    now.manifest !== report.digests.manifest_sha256 ? 'plugin.json' : '',
  ].filter(Boolean);
  if (moved.length > 0)
    throw new WharfError('E_DIGEST_CHANGED', `${moved.join(', ')} changed since the review; a new review is needed.`, {
      moved,
    });
  // Same bytes as reviewed; re-check signature and binding anyway (cheap, and the only thing that vouches for them).
  const again = reviewRelease({
    wasm: fetched.assets.wasm.bytes,
    minisig: fetched.assets.minisig.bytes,
    manifest: fetched.assets.manifest.bytes,
    submission,
    smoke: { wasm_sha256: now.wasm, results: [] },
  });
  const bad = again.report.checks.find(
    (c) => (c.id === 'signature.valid' || c.id === 'signature.binding') && c.status !== 'pass',
  );
  if (bad || !again.manifest) throw new WharfError('E_SIG_INVALID', bad?.message ?? 'plugin.json no longer parses');
  const urls = [fetched.assets.wasm.url];
  let mirrorRepo: string | undefined;
  if (submission.gitee_repository) {
    try {
      urls.push(
        await giteeMirrorUrl(submission.gitee_repository, fetched.release.tag, 'plugin.wasm', now.wasm, {
          ...(opts.giteeApi ? { apiBase: opts.giteeApi } : {}),
          cap: fetched.assets.wasm.bytes.length,
        }),
      );
      mirrorRepo = submission.gitee_repository;
    } catch {
      // The mirror is optional: publish with the GitHub URL only.
    }
  }
  return { ref, submission, report, manifest: again.manifest, fetched, urls, ...(mirrorRepo ? { mirrorRepo } : {}) };
}
