import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJson, type Registry, readManifest, WharfError } from '@wharf/schemas';
import type { Command } from 'commander';
import type { ReviewSource, runReview } from '../../review/run-review.js';
import type { SmokeResult } from '../../review/smoke-run.js';
import {
  type AdminCommandContext,
  DEFAULT_BOT_LOGIN,
  defaultFormPath,
  EXIT_FAILED,
  existingDir,
  githubFromEnv,
  parseIssueNumber,
  readText,
  repoRef,
} from './context.js';

interface ReviewOpts {
  issue?: number;
  repo?: string;
  issueBody?: string;
  manifest?: string;
  wasm?: string;
  sig?: string;
  registry?: string;
  form?: string;
  apiUrl?: string;
  smoke: boolean;
  smokeResults?: string;
  out?: string;
  markdown?: string;
  saveAssets?: string;
  post?: boolean;
  botLogin: string;
}

export function registerReview(ctx: AdminCommandContext): void {
  ctx
    .sub(ctx.program, 'review')
    .description('review a submission: every DESIGN §5 check, scores, report.json and the Markdown report')
    .option('--issue <n>', 'issue number (with --repo): read the issue through the API', parseIssueNumber)
    .option('--repo <owner/repo>', 'the marketplace repository holding the issue')
    .option('--issue-body <file>', 'an issue body saved to a file')
    .option('--manifest <file>', 'offline: plugin.json')
    .option('--wasm <file>', 'offline: plugin.wasm')
    .option('--sig <file>', 'offline: plugin.wasm.minisig')
    .option('--registry <dir>', 'registry dir for squatting/immutability/key checks (default ./registry if present)')
    .option('--form <file>', 'the submission form YAML (default .github/ISSUE_TEMPLATE/plugin-submission.yml)')
    .option(
      '--api-url <url>',
      'GitHub REST base URL (default $GITHUB_API_URL or api.github.com); token from $GITHUB_TOKEN',
    )
    .option('--no-smoke', 'do not run the exports (smoke.run is then skipped)')
    .option('--smoke-results <file>', 'use a smoke.json from the token-less smoke job instead of running here')
    .option('--out <file>', 'write report.json')
    .option('--markdown <file>', 'write the Markdown report')
    .option('--save-assets <dir>', 'write the reviewed plugin.wasm / .minisig / plugin.json there (for the smoke job)')
    .option('--post', 'update the sticky comment and labels on the issue')
    .option('--bot-login <login>', 'the account the bot posts as', DEFAULT_BOT_LOGIN)
    .action(async (o: ReviewOpts, cmd: Command) => {
      // The review pipeline (the sandbox and Extism, Octokit) is loaded by this command only.
      const [{ readRegistry }, { renderMarkdown }, { postReview, postReviewError, runReview }] = await Promise.all([
        import('../../registry/store.js'),
        import('../../review/render-report.js'),
        import('../../review/run-review.js'),
      ]);
      let source: ReviewSource;
      if (o.manifest || o.wasm || o.sig) {
        if (!o.manifest || !o.wasm || !o.sig)
          throw new WharfError('E_USAGE', '--manifest, --wasm and --sig go together');
        source = { kind: 'files', manifestPath: o.manifest, wasmPath: o.wasm, sigPath: o.sig };
      } else if (o.issueBody) source = { kind: 'issue-body', body: readText(o.issueBody, 'issue body') };
      else if (o.issue !== undefined && o.repo) source = { kind: 'issue', ref: repoRef(o.repo, o.issue) };
      else
        throw new WharfError('E_USAGE', 'give --issue N --repo o/r, --issue-body <file>, or --manifest --wasm --sig');
      const regDir = existingDir(o.registry, 'registry');
      let registry: Registry | undefined;
      if (regDir) registry = (await readRegistry(regDir)).registry;
      const gh = source.kind === 'files' ? undefined : await githubFromEnv(o.apiUrl);
      const smoke: 'isolated' | 'skip' | SmokeResult = o.smokeResults
        ? (parseJson(readText(o.smokeResults, 'smoke results'), o.smokeResults) as SmokeResult)
        : o.smoke
          ? 'isolated'
          : 'skip';
      let run: Awaited<ReturnType<typeof runReview>>;
      try {
        run = await runReview({
          source,
          ...(source.kind !== 'files' ? { formYaml: readText(o.form ?? defaultFormPath(), 'form') } : {}),
          ...(gh ? { gh } : {}),
          ...(registry ? { registry } : {}),
          smoke,
        });
      } catch (e) {
        if (o.post && gh && source.kind === 'issue' && e instanceof WharfError)
          await postReviewError(gh, source.ref, e.code, e.message, o.botLogin);
        throw e;
      }
      const { report } = run;
      if (o.out) writeFileSync(o.out, `${JSON.stringify(report, null, 2)}\n`);
      if (o.markdown) writeFileSync(o.markdown, renderMarkdown(report));
      if (o.saveAssets) {
        mkdirSync(o.saveAssets, { recursive: true });
        writeFileSync(join(o.saveAssets, 'plugin.wasm'), run.assets.wasm);
        writeFileSync(join(o.saveAssets, 'plugin.wasm.minisig'), run.assets.minisig);
        writeFileSync(join(o.saveAssets, 'plugin.json'), run.assets.manifest);
      }
      if (o.post && gh && source.kind === 'issue') await postReview(gh, source.ref, report, o.botLogin);
      const human = [
        `${report.plugin_id}@${report.version}: ${report.passed ? 'PASSED' : 'CHANGES REQUESTED'} (security ${report.security_score}, quality ${report.quality_score})`,
        ...report.checks.map((c) => `  ${c.status.padEnd(4)}  ${c.id.padEnd(28)} ${c.message}`),
        `wasm sha256 ${report.digests.wasm_sha256}`,
      ].join('\n');
      ctx.out(cmd, human, report);
      if (!report.passed) ctx.setExit(EXIT_FAILED);
    });

  ctx
    .sub(ctx.program, 'smoke')
    .description('call every declared export once in the sandbox (run this where no token is present)')
    .requiredOption('--wasm <file>', 'plugin.wasm')
    .requiredOption('--manifest <file>', 'plugin.json')
    .option('--out <file>', 'write smoke.json')
    .action(async (o: { wasm: string; manifest: string; out?: string }, cmd: Command) => {
      const m = readManifest(parseJson(readText(o.manifest, 'manifest'), o.manifest));
      const { smokeRun } = await import('../../review/smoke-run.js');
      const r = await smokeRun(new Uint8Array(readFileSync(o.wasm)), m);
      if (o.out) writeFileSync(o.out, `${JSON.stringify(r, null, 2)}\n`);
      ctx.out(cmd, r.results.map((x) => `${x.status} ${x.export}: ${x.message}`).join('\n'), r);
      if (r.results.some((x) => x.status === 'fail')) ctx.setExit(EXIT_FAILED);
    });
}
