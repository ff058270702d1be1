import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry, ReviewReport, Submission } from '@wharf/schemas';
import { DEFAULT_CAPS, type DownloadCaps, type FetchedRelease, fetchRelease } from '../github/fetch-release.js';
import { type IssueRef, setLabels, upsertStickyComment } from '../github/issues.js';
import type { GitHub } from '../github/octokit.js';
import { parseSubmission } from '../submission/parse-submission.js';
import { escapeMarkdown, LABELS, labelsForReport, renderMarkdown, STICKY_MARKER } from './render-report.js';
import { type ReviewOutcome, reviewRelease } from './review-release.js';
import { type SmokeResult, smokeRunIsolated } from './smoke-run.js';

export type ReviewSource =
  | { kind: 'files'; manifestPath: string; wasmPath: string; sigPath: string }
  | { kind: 'issue-body'; body: string }
  | { kind: 'issue'; ref: IssueRef };

export interface RunReviewOptions {
  source: ReviewSource;
  /** The submission form YAML (issue modes). */
  formYaml?: string;
  gh?: GitHub;
  registry?: Registry;
  /** 'isolated' (default): a token-free child process; 'skip': leave smoke.run skipped; or a result from the smoke job. */
  smoke?: 'isolated' | 'skip' | SmokeResult;
  caps?: DownloadCaps;
  now?: Date;
}

export interface ReviewRun extends ReviewOutcome {
  submission?: Submission;
  fetched?: FetchedRelease;
  assets: { wasm: Uint8Array; minisig: Uint8Array; manifest: Uint8Array };
}

/** The three modes of `wharf-admin review`: local files (no network), an issue body file, or an issue via the API. */
export async function runReview(opts: RunReviewOptions): Promise<ReviewRun> {
  const src = opts.source;
  let submission: Submission | undefined;
  let fetched: FetchedRelease | undefined;
  let assets: ReviewRun['assets'];
  let issue: number | undefined;
  let submitterId: number | undefined;
  if (src.kind === 'files') {
    assets = {
      wasm: new Uint8Array(readFileSync(src.wasmPath)),
      minisig: new Uint8Array(readFileSync(src.sigPath)),
      manifest: new Uint8Array(readFileSync(src.manifestPath)),
    };
  } else {
    if (!opts.gh) throw new Error('an issue review needs a GitHub client');
    if (!opts.formYaml) throw new Error('an issue review needs the submission form');
    let body: string;
    if (src.kind === 'issue') {
      const r = await opts.gh.rest.issues.get({
        owner: src.ref.owner,
        repo: src.ref.repo,
        issue_number: src.ref.issue,
      });
      body = r.data.body ?? '';
      issue = src.ref.issue;
      submitterId = r.data.user?.id;
    } else body = src.body;
    submission = parseSubmission(body, opts.formYaml);
    fetched = await fetchRelease(opts.gh, submission.repository, submission.tag, opts.caps ?? DEFAULT_CAPS);
    assets = {
      wasm: fetched.assets.wasm.bytes,
      minisig: fetched.assets.minisig.bytes,
      manifest: fetched.assets.manifest.bytes,
    };
  }
  let smoke: SmokeResult | undefined;
  if (typeof opts.smoke === 'object') smoke = opts.smoke;
  else if (opts.smoke !== 'skip') smoke = await isolatedSmoke(assets).catch(() => undefined);
  const outcome = reviewRelease({
    ...assets,
    ...(submission ? { submission } : {}),
    ...(fetched
      ? {
          repo: {
            id: fetched.repo.id,
            ownerId: fetched.repo.ownerId,
            ...(submitterId !== undefined ? { submitterId } : {}),
            assetSize: fetched.assets.wasm.size,
            fullName: fetched.repo.fullName,
            hasReadme: fetched.hasReadme,
            tag: fetched.release.tag,
            ...(fetched.repo.license ? { license: fetched.repo.license } : {}),
            ...(fetched.keyFile !== undefined ? { keyFile: fetched.keyFile } : {}),
          },
        }
      : {}),
    ...(opts.registry ? { registry: opts.registry } : {}),
    ...(smoke ? { smoke } : {}),
    ...(issue !== undefined ? { issue } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  return { ...outcome, ...(submission ? { submission } : {}), ...(fetched ? { fetched } : {}), assets };
}

async function isolatedSmoke(assets: ReviewRun['assets']): Promise<SmokeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-smoke-'));
  try {
    writeFileSync(join(dir, 'plugin.wasm'), assets.wasm);
    writeFileSync(join(dir, 'plugin.json'), assets.manifest);
    return await smokeRunIsolated(join(dir, 'plugin.wasm'), join(dir, 'plugin.json'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Posts the report as the sticky comment and sets the labels. */
export async function postReview(gh: GitHub, ref: IssueRef, report: ReviewReport, botLogin: string): Promise<void> {
  await upsertStickyComment(gh, ref, STICKY_MARKER, renderMarkdown(report), botLogin);
  await setLabels(gh, ref, labelsForReport(report));
}

/** A submission that could not be reviewed at all (bad form, missing release): say why, ask for changes. */
export async function postReviewError(
  gh: GitHub,
  ref: IssueRef,
  code: string,
  message: string,
  botLogin: string,
): Promise<void> {
  const body = `${STICKY_MARKER}\n## Wharf review\n\n**Could not review this submission** (\`${code}\`): ${escapeMarkdown(message)}\n\nEdit the issue to run the review again.`;
  await upsertStickyComment(gh, ref, STICKY_MARKER, body, botLogin);
  await setLabels(gh, ref, { add: [LABELS.changesRequested], remove: [LABELS.needsReview, LABELS.approved] });
}
