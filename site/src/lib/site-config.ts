// What the catalog says about the marketplace itself — where its registry is served, the root fingerprint a
// visitor pins with `wharf source add`, and its Git repository (for "submit a plugin" and source links) — comes
// from the registry tree the site is built from: sources.json beside registry.json (the official mirrors, as
// `wharf source add --official` reads them) and metadata/1.root.json. Nothing here is hard-coded, so a private
// registry's catalog links to its own repository. WHARF_SITE_REPOSITORY overrides the derived repository.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseJson, validateSources } from '@wharf/schemas';
import { registryPath, safeHref } from './registry-source.js';

export interface SiteConfig {
  /** The alias a visitor adds the source as (sources.json `current`, else "wharf"). */
  alias: string;
  /** Base URLs serving the registry, first tried first; empty if the tree has no sources.json. */
  mirrors: string[];
  /** sha256 of metadata/1.root.json: sources.json's root_sha256, else computed from the file. */
  rootSha256?: string;
  /** The marketplace's Git repository (https), if known. */
  repository?: string;
}

/** https://github.com/o/r, from a raw.githubusercontent.com/o/r/… or gitee.com/o/r/raw/… mirror URL. */
export function repositoryFromMirror(mirror: string): string | undefined {
  let u: URL;
  try {
    u = new URL(mirror);
  } catch {
    return undefined;
  }
  const [owner, repo, third] = u.pathname.split('/').filter(Boolean);
  if (!owner || !repo) return undefined;
  if (u.hostname === 'raw.githubusercontent.com') return `https://github.com/${owner}/${repo}`;
  if ((u.hostname === 'github.com' || u.hostname === 'gitee.com') && (third === 'raw' || third === undefined))
    return `https://${u.hostname}/${owner}/${repo}`;
  return undefined;
}

let memo: SiteConfig | undefined;

export function siteConfig(): SiteConfig {
  if (memo) return memo;
  const dir = dirname(registryPath());
  const cfg: SiteConfig = { alias: 'wharf', mirrors: [] };
  const sourcesFile = join(dir, 'sources.json');
  if (existsSync(sourcesFile)) {
    const parsed = validateSources(parseJson(readFileSync(sourcesFile), sourcesFile));
    if (!parsed.ok) {
      const lines = parsed.problems.slice(0, 10).map((p) => `  ${p.code} ${p.message}`);
      throw new Error(`[wharf-site] ${sourcesFile} is not a valid sources list:\n${lines.join('\n')}`);
    }
    const s =
      parsed.value.sources.find((x) => x.alias === parsed.value.current && x.type === 'tuf') ??
      parsed.value.sources.find((x) => x.type === 'tuf');
    if (s) {
      cfg.alias = s.alias;
      cfg.mirrors = s.mirrors.filter((m) => safeHref(m) !== undefined);
      cfg.rootSha256 = s.root_sha256;
    }
  }
  const rootFile = join(dir, 'metadata', '1.root.json');
  if (!cfg.rootSha256 && existsSync(rootFile))
    cfg.rootSha256 = createHash('sha256').update(readFileSync(rootFile)).digest('hex');
  const repo = process.env.WHARF_SITE_REPOSITORY;
  cfg.repository = safeHref(repo) ?? cfg.mirrors.map(repositoryFromMirror).find((r) => r !== undefined);
  memo = cfg;
  return cfg;
}
