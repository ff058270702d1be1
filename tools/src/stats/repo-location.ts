import type { RegistryPlugin } from '@wharf/schemas';

/** Where a plugin's repository lives, from the registry's own URLs (never an API URL someone could point anywhere). */
export interface RepoLocation {
  host: 'github' | 'gitee';
  owner: string;
  repo: string;
}

// GitHub's and Gitee's owner and repository name rules (letters, digits, . _ -), anchored to the host.
const REPO_URL =
  /^https:\/\/(github\.com|gitee\.com)\/([A-Za-z0-9][A-Za-z0-9_.-]{0,99})\/([A-Za-z0-9_.-]{1,100}?)(?:\.git)?\/?$/;

export function repoLocation(url: string | undefined): RepoLocation | undefined {
  const m = url ? REPO_URL.exec(url) : null;
  if (!m || m[3] === '.' || m[3] === '..') return undefined;
  return { host: m[1] === 'github.com' ? 'github' : 'gitee', owner: m[2] as string, repo: m[3] as string };
}

/** The primary repository and, when it is a different host's copy, the mirror (Gitee) whose downloads count too. */
export function pluginRepos(p: RegistryPlugin): { primary?: RepoLocation; mirror?: RepoLocation } {
  const primary = repoLocation(p.repository?.primary?.url);
  const mirror = repoLocation(p.repository?.mirror?.url);
  return {
    ...(primary ? { primary } : {}),
    ...(mirror && mirror.host !== primary?.host ? { mirror } : {}),
  };
}

export const slugOf = (r: RepoLocation): string => `${r.owner}/${r.repo}`;
