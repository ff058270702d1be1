import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WharfError } from '@wharf/schemas';
import type { Command } from 'commander';
import type { PluginTestReport } from '../../author/test-project.js';
import type { PluginLang } from '../../author/toolchain.js';
import { defaultHome, homePaths } from '../../home.js';
import { type CliContext, clientFor, readInputFile } from '../context.js';

/** `wharf plugin init|build|test|submit`: the author's path from nothing to a submitted release. */
export function register(program: Command, ctx: CliContext): void {
  const plugin = program.command('plugin').description('create, build, test and submit a plugin (for authors)');

  plugin
    .command('init <dir>')
    .description(
      'write a new plugin project: source with one export, plugin.json, package.json, test, README, release workflow',
    )
    // init-project's LANGS, spelled out so `--help` need not load the author modules (a test keeps them equal).
    .option('--lang <lang>', 'source language: wat or assemblyscript', 'wat')
    .option('--id <id>', 'plugin id (default: the directory name)')
    .option('--name <name>', 'display name (default: from the id)')
    .option('--owner <github-user>', 'GitHub user or organisation that will host the repo')
    .option('--author <name>', 'author name for plugin.json')
    .option('--description <text>', 'what the plugin does, for plugin.json (submit refuses the placeholder)')
    .option('--signing-key <file|RW…>', 'public key for plugin.json (default: the one `wharf keygen` wrote, if any)')
    .action(
      async (
        dir: string,
        o: {
          lang: string;
          id?: string;
          name?: string;
          owner?: string;
          author?: string;
          description?: string;
          signingKey?: string;
        },
      ) => {
        const { initProject } = await import('../../author/init-project.js');
        let key = o.signingKey;
        if (!key) {
          const pub = join(homePaths(ctx.g().home ?? defaultHome()).keys, 'wharf.pub');
          if (existsSync(pub)) key = pub;
        }
        const r = initProject(dir, {
          lang: o.lang as PluginLang,
          id: o.id,
          name: o.name,
          owner: o.owner,
          author: o.author,
          description: o.description,
          signingKey: key,
        });
        ctx
          .out()
          .result(r, () => [
            `created ${r.lang} plugin ${r.id} in ${r.dir}`,
            ...r.files.map((f) => `  ${f}`),
            r.signingKey
              ? `signing_key: ${r.signingKey}`
              : 'no signing key yet: run `wharf keygen`, then `wharf plugin key` in the project (it fills in signing_key and minisign.pub)',
            'next: cd into it, then `npm install && npm run build && npm test && wharf plugin test`',
          ]);
      },
    );

  plugin
    .command('key [dir]')
    .description(
      "put your public key into the project: plugin.json's signing_key and minisign.pub (for a project made before `wharf keygen`)",
    )
    .option('--signing-key <file|RW…>', 'the public key (default: the one `wharf keygen` wrote)')
    .option('--force', 'replace a different key already in plugin.json (only for a plugin never published)')
    .action(async (dir: string | undefined, o: { signingKey?: string; force?: boolean }) => {
      const { setProjectKey } = await import('../../author/project-key.js');
      let key = o.signingKey;
      if (!key) {
        key = join(homePaths(ctx.g().home ?? defaultHome()).keys, 'wharf.pub');
        if (!existsSync(key))
          throw new WharfError(
            'E_USAGE',
            `there is no key at ${key} yet: run \`wharf keygen\` first, or pass --signing-key <file|RW…>.`,
          );
      }
      const r = setProjectKey(dir ?? '.', key, { force: o.force });
      ctx
        .out()
        .result(r, () => [
          r.written.length
            ? `signing_key ${r.keyid.toUpperCase()} set in ${r.written.join(' and ')}`
            : `${r.dir} already uses key ${r.keyid.toUpperCase()}`,
          'next: rebuild, `wharf sign plugin.wasm --id <id> --version <v>`, commit minisign.pub, tag and release',
        ]);
    });

  plugin
    .command('build [dir]')
    .description('build the project with its own `npm run build`, then check the wasm it wrote')
    .action(async (dir = '.') => {
      const { buildProject } = await import('../../author/build-project.js');
      const out = ctx.out();
      const r = await buildProject(dir, { stdio: out.json ? 'pipe' : 'inherit' });
      out.result(r, () => `built ${r.wasm} (${r.size} bytes, sha256 ${r.sha256.slice(0, 12)}…) in ${r.ms} ms`);
    });

  plugin
    .command('test [dir]')
    .description(
      "run the review bot's scan and every export in Wharf's sandbox; prints a table of export, result, time, memory",
    )
    .option('--input <text>', "input for every export (default: each export's sample_input), or @file")
    .option('--expect <text>', 'expected output; a different output fails')
    .option('--export <name>', 'run only this export')
    .action(async (dir: string | undefined, o: { input?: string; expect?: string; export?: string }) => {
      const { testProject } = await import('../../author/test-project.js');
      const input = o.input?.startsWith('@') ? new Uint8Array(readInputFile(o.input)) : o.input;
      const r = await testProject(dir ?? '.', { input, expect: o.expect, exportName: o.export });
      const failure = r.passed ? undefined : firstFailure(r);
      ctx.out().result(failure ? { ...r, error: failure.toJSON() } : r, () => renderTest(r));
      if (failure) {
        ctx.out().note(`error ${failure.code}: ${failure.message}`);
        process.exitCode = 1;
      }
    });

  plugin
    .command('submit')
    .description('check that the release assets exist and verify, then print the prefilled submission form link')
    .option('--dir <dir>', 'check local release files (plugin.json, plugin.wasm, plugin.wasm.minisig) in this dir')
    .option(
      '--release-url <url>',
      "base URL of the release assets (default: the GitHub release of plugin.json's repository)",
    )
    .option('--project <dir>', 'the plugin project (for its repository and version)', '.')
    .option('--tag <tag>', 'release tag (default: v<version>)')
    .option('--marketplace <owner/repo>', 'the marketplace repository whose form to open')
    .option('--gitee <owner/repo>', 'your Gitee mirror, for the gitee_repository field')
    .action(
      async (o: {
        dir?: string;
        releaseUrl?: string;
        project: string;
        tag?: string;
        marketplace?: string;
        gitee?: string;
      }) => {
        const { checkRelease } = await import('../../author/submit-release.js');
        const r = await checkRelease({
          dir: o.dir,
          releaseUrl: o.releaseUrl,
          projectDir: o.project,
          tag: o.tag,
          marketplace: o.marketplace,
          giteeRepository: o.gitee,
          limits: clientFor(ctx.g()).opts.limits,
        });
        const failed = r.checks.find((c) => c.status === 'fail');
        const failure = failed ? checkError(failed.message, `release check ${failed.id} failed`) : undefined;
        ctx
          .out()
          .result(failure ? { ...r, error: failure.toJSON() } : r, () => [
            `release ${r.plugin_id} ${r.tag} from ${r.source}`,
            ...r.checks.map((c) => `  ${c.status.padEnd(4)}  ${c.id.padEnd(24)} ${c.message}`),
            '',
            failure
              ? 'Fix the failed checks before submitting; the review bot runs the same ones.'
              : 'Open this link to submit on GitHub (the form is prefilled):',
            `  ${r.form_url}`,
            '',
            'On Gitee, paste these fields into the submission issue:',
            ...Object.entries(r.fields).map(([k, v]) => `  ${k}: ${v}`),
          ]);
        if (failure) {
          ctx.out().note(`error ${failure.code}: ${failure.message}`);
          process.exitCode = 1;
        }
      },
    );
}

function renderTest(r: PluginTestReport): string[] {
  const mem = r.memory
    ? `${r.memory.min}${r.memory.max !== undefined ? `–${r.memory.max}` : '+ (no maximum)'} pages`
    : 'none';
  const lines = [
    `${r.id}@${r.version}  ${r.wasm}  ${r.size} bytes  sha256 ${r.sha256.slice(0, 12)}…  memory ${mem}`,
    '',
  ];
  for (const c of r.checks) lines.push(`  ${c.status.padEnd(4)}  ${c.id.padEnd(20)} ${c.message}`);
  lines.push('');
  const rows = [
    ['export', 'result', 'time', 'peak RSS', 'output'],
    ...r.runs.map((x) => [
      x.export,
      x.status,
      `${x.ms.toFixed(2)} ms`,
      `+${x.peak_rss_kib} KiB`,
      x.status === 'error'
        ? `${x.error?.code}: ${x.error?.message}`
        : `${clip(x.output ?? '')}${x.status === 'fail' ? `  (expected ${clip(x.expected ?? '')})` : ''}`,
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  for (const row of rows)
    lines.push(`  ${row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ')}`);
  if (r.runs.length === 0) lines.push('  (no export ran: a scan check failed)');
  lines.push('', r.passed ? 'all checks passed' : 'FAILED');
  return lines;
}

const clip = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);

function firstFailure(r: PluginTestReport): WharfError {
  // smoke.run summarises the runs; a failed run below names its own code.
  const check = r.checks.find((c) => c.status === 'fail' && c.id !== 'smoke.run');
  if (check) return checkError(check.message, `scan check ${check.id} failed`);
  const run = r.runs.find((x) => x.status !== 'pass');
  if (run?.status === 'error' && run.error)
    return new WharfError(run.error.code as WharfError['code'], `${run.export}: ${run.error.message}`);
  if (run)
    return new WharfError(
      'E_TEST_FAILED',
      `${run.export} returned ${clip(run.output ?? '')}, expected ${clip(run.expected ?? '')}.`,
    );
  return new WharfError('E_TEST_FAILED', 'no export ran.');
}

/** Check messages start with their E_ code ("E_WASM_IMPORT: …"); keep it. */
function checkError(message: string, fallback: string): WharfError {
  const m = message.match(/^(E_[A-Z_]+): (.*)$/s);
  return m
    ? new WharfError(m[1] as WharfError['code'], m[2] as string)
    : new WharfError('E_TEST_FAILED', `${fallback}: ${message}`);
}
