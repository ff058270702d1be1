import { existsSync, readFileSync } from 'node:fs';
import { checkUrl, type SourceConfig, type SourcesConfig, WharfError } from '@wharf/schemas';
import { writeFileAtomic } from '../fs/atomic-write.js';

const ALIAS = /^[a-z][a-z0-9-]{0,31}$/;

export function readSources(path: string): SourcesConfig {
  if (!existsSync(path)) return { sources_version: 1, sources: [] };
  const cfg = JSON.parse(readFileSync(path, 'utf8')) as SourcesConfig;
  if (cfg.sources_version !== 1 || !Array.isArray(cfg.sources)) {
    throw new WharfError('E_SCHEMA', `${path} is not a Wharf sources file (sources_version 1).`);
  }
  return cfg;
}

export function writeSources(path: string, cfg: SourcesConfig): void {
  writeFileAtomic(path, `${JSON.stringify(cfg, null, 2)}\n`);
}

/** Sources in the order refresh tries them: priority, then the order they were added. */
export function orderedSources(cfg: SourcesConfig): SourceConfig[] {
  return cfg.sources
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s.priority - b.s.priority || a.i - b.i)
    .map((x) => x.s);
}

/** The source whose ids are addressed bare; others are addressed `<alias>:<id>` and never shadow it. */
export function currentSource(cfg: SourcesConfig): SourceConfig | undefined {
  return cfg.sources.find((s) => s.alias === cfg.current) ?? orderedSources(cfg)[0];
}

export function findSource(cfg: SourcesConfig, alias: string): SourceConfig {
  const s = cfg.sources.find((x) => x.alias === alias);
  if (!s)
    throw new WharfError(
      'E_SOURCE_UNKNOWN',
      `No source named "${alias}". \`wharf source list\` shows the configured ones.`,
    );
  return s;
}

export function checkAlias(alias: string): void {
  if (!ALIAS.test(alias)) {
    throw new WharfError(
      'E_USAGE',
      `Source alias "${alias}" must match ${ALIAS.source} (lowercase letters, digits, "-").`,
    );
  }
}

export function checkSourceUrl(url: string): string {
  checkUrl(url, { allowLoopback: true, field: 'source url' });
  return url.replace(/\/+$/, '');
}
