import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './market-fixture.js';

// The workflow rules from issue 4, checked on every workflow file so a later edit can't quietly break them.
const DIR = join(REPO_ROOT, '.github', 'workflows');
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Job {
  uses?: string;
  permissions?: unknown;
  steps?: Step[];
  environment?: unknown;
}
interface Workflow {
  permissions?: unknown;
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job>;
}

const load = (f: string) => parse(readFileSync(join(DIR, f), 'utf8')) as Workflow;

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
});

describe('workflow set', () => {
  it('has the five workflows this issue owns', () => {
    for (const f of ['review.yml', 'publish.yml', 'resign.yml', 'mirror-sync.yml', 'ci.yml'])
      expect(files).toContain(f);
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
