import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WharfError } from '@wharf/schemas';
import type { Command } from 'commander';
import type { GitHub } from '../../github/octokit.js';
import type { CliIo } from '../main.js';

/** What main.ts hands each command module, so modules register commands without editing main.ts again. */
export interface AdminCommandContext {
  program: Command;
  io: CliIo;
  sub(parent: Command, name: string): Command;
  out(cmd: Command, human: string, machine: unknown): void;
  json(cmd: Command): boolean;
  setExit(code: number): void;
}

export const EXIT_FAILED = 1;

/** "1 plugin", "3 plugins" (as the wharf CLI's output.ts says it). */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
export const DEFAULT_BOT_LOGIN = 'github-actions[bot]';

/**
 * The token comes from the environment only (never argv, which other processes can read). Octokit is loaded here,
 * by the commands that talk to GitHub, not by every wharf-admin start.
 */
export async function githubFromEnv(apiUrl?: string): Promise<GitHub> {
  const { createGitHub } = await import('../../github/octokit.js');
  const token = process.env.GITHUB_TOKEN ?? process.env.GH_TOKEN;
  return createGitHub({
    ...(token ? { token } : {}),
    baseUrl: apiUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com',
    // Our own text (a number and an Octokit route template), so a pause in the Actions log has a reason.
    onWait: (s, r) => process.stderr.write(`GitHub rate limit: waiting ${s} s before retrying ${r.method} ${r.url}\n`),
  });
}

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new WharfError('E_IO', `cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

export function defaultFormPath(): string {
  return resolve('.github', 'ISSUE_TEMPLATE', 'plugin-submission.yml');
}

export function repoRef(slug: string, issue: number): { owner: string; repo: string; issue: number } {
  const m = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(slug);
  if (!m || !Number.isInteger(issue) || issue <= 0)
    throw new WharfError('E_USAGE', '--repo must be owner/repo and --issue a positive number');
  return { owner: m[1] as string, repo: m[2] as string, issue };
}

export function parseIssueNumber(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new WharfError('E_USAGE', `invalid issue number ${JSON.stringify(v)}`);
  return n;
}

export function existingDir(dir: string | undefined, fallback: string): string | undefined {
  const d = dir ?? fallback;
  return existsSync(join(d, 'registry.json')) ? d : undefined;
}
