import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../review/market-fixture.js';

// stats.yml beside the general workflow rules (tools/test/review/workflows.test.ts checks every file in the
// directory, this one included: permissions, pinned actions, no github.event in run:, credentials, actionlint).
// Here: what is particular to a scheduled job that writes the registry.
interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: unknown;
  environment?: unknown;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job>;
}
const DIR = join(REPO_ROOT, '.github', 'workflows');
const load = (f: string) => parse(readFileSync(join(DIR, f), 'utf8')) as Workflow;

describe('stats.yml', () => {
  const wf = load('stats.yml');
  const jobs = Object.values(wf.jobs);
  const steps = jobs.flatMap((j) => j.steps ?? []);

  it('is one of the files the workflow rules test reads', () => {
    expect(readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f))).toContain('stats.yml');
  });

  it('runs on a schedule and by hand only, never on anything an outsider can trigger', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect((wf.on.schedule as { cron: string }[])[0]?.cron).toMatch(/^\S+ \S+ \* \* \*$/); // daily
  });

  it('shares the publish concurrency group and never cancels a run in progress', () => {
    expect(wf.concurrency).toEqual(load('publish.yml').concurrency);
    expect(wf.concurrency?.['cancel-in-progress']).toBe(false);
  });

  it('has permissions: {} at the top and only contents: write in its one job, gated by registry-publish', () => {
    expect(wf.permissions).toEqual({});
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.permissions).toEqual({ contents: 'write' });
    expect(jobs[0]?.environment).toBe('registry-publish');
  });

  it('publishes through wharf-admin stats --workdir, installs without scripts, keeps no credentials', () => {
    expect(steps.some((s) => /wharf-admin\.js stats --workdir \. --keys/.test(s.run ?? ''))).toBe(true);
    for (const s of steps.filter((x) => /\bnpm (ci|install|i)\b/.test(x.run ?? '')))
      expect(s.run).toMatch(/--ignore-scripts/);
    for (const s of steps.filter((x) => x.uses?.startsWith('actions/checkout@')))
      expect(s.with?.['persist-credentials']).toBe(false);
  });

  it('runs no plugin code: no smoke run, no review, no wharf run, no plugin test', () => {
    for (const s of steps) expect(s.run ?? '').not.toMatch(/ smoke |\breview\b|wharf\.js run|plugin test|extism/i);
  });
});
