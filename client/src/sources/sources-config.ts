import { lstatSync, readFileSync } from 'node:fs';
import { checkUrl, type SourceConfig, type SourcesConfig, validateSources, WharfError } from '@wharf/schemas';
import { writeFileAtomic } from '../fs/atomic-write.js';

const ALIAS = /^[a-z][a-z0-9-]{0,31}$/;

/** An alias names a trust dir and cache files; one that looks like a path is an attempt to leave the home. */
const looksLikePath = (a: unknown) => typeof a === 'string' && (/[/\\\0]/.test(a) || a === '.' || a === '..');

/**
 * Parse and check sources.json's text with the sources schema and its rules (DESIGN §4: the home is untrusted
 * input). An alias that is a path is E_PATH_ESCAPE; any other problem keeps the validator's code (E_SCHEMA,
 * E_SOURCE_CONFLICT, E_URL_SCHEME, ...). The caller has changed nothing yet.
 */
export function parseSources(text: string, where: string): SourcesConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new WharfError('E_SCHEMA', `${where} is not valid JSON (${(e as Error).message}); fix or remove it.`);
  }
  const v = validateSources(parsed);
  if (v.ok) return v.value;
  const raw = parsed as { current?: unknown; sources?: unknown };
  const aliases = [raw?.current, ...(Array.isArray(raw?.sources) ? raw.sources : []).map((s) => s?.alias)];
  const bad = aliases.find(looksLikePath);
  if (bad !== undefined)
    throw new WharfError(
      'E_PATH_ESCAPE',
      `${where} names a source ${JSON.stringify(bad)}, which is a path, not an alias (${ALIAS.source}). Nothing was changed; fix or remove the file.`,
    );
  const first = v.problems[0];
  throw new WharfError(
    first?.code ?? 'E_SCHEMA',
    `${where} is not a valid Wharf sources file: ${first?.message ?? 'unknown problem'}. Nothing was changed; fix or remove it.`,
    { problems: v.problems },
  );
}

// One parse and check per distinct text in a process: a command reads sources.json more than once (the command,
// then the catalog), and parsing and validating it again cost a warm search ~0.4 ms. The file is still read every
// time; the same bytes give the same result, and each caller gets a copy of its own to change.
let lastRead: { path: string; text: string; cfg: SourcesConfig } | undefined;

export function readSources(path: string): SourcesConfig {
  let text: string;
  try {
    if (lstatSync(path).isSymbolicLink())
      throw new WharfError('E_PATH_ESCAPE', `Refusing ${path}: it is a symbolic link.`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { sources_version: 1, sources: [] };
    throw e;
  }
  if (lastRead?.path !== path || lastRead.text !== text) lastRead = { path, text, cfg: parseSources(text, path) };
  return structuredClone(lastRead.cfg);
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
