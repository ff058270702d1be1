// Reads the registry the site is built from, once per build. Registry text is untrusted input: it is validated
// with @wharf/schemas, and the one class of problem the site tolerates — a display link that is not https:
// (homepage, repository URLs) — is dropped from the page and flagged in the build log with the plugin id and
// field. Anything else wrong fails the build, so a broken registry never ships a half-right catalog.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Category, Problem, Registry, RegistryPlugin } from '@wharf/schemas';
import { urlProblem, validateRegistry } from '@wharf/schemas';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

export interface DroppedLink {
  plugin_id: string;
  field: string;
  reason: string;
}

export interface SiteRegistry {
  registry: Registry;
  byId: Map<string, RegistryPlugin>;
  categories: Map<string, Category>;
  dropped: DroppedLink[];
  path: string;
}

/** WHARF_REGISTRY, relative to where npm was invoked (INIT_CWD), else registry/registry.json at the repo root. */
export function registryPath(): string {
  const given = process.env.WHARF_REGISTRY;
  if (!given) return join(repoRoot, 'registry', 'registry.json');
  return isAbsolute(given) ? given : resolve(process.env.INIT_CWD ?? process.cwd(), given);
}

// Paths (JSON Pointer tails under /plugins/<n>) of the links a page shows; only these may be dropped.
const LINK_FIELD = /^\/plugins\/(\d+)\/(homepage|repository\/(?:primary|mirror)\/(?:url|api_url|releases_url))$/;

/** The link, if it may reach an href: https only, checked again at render time (see safeHref). */
export function safeHref(url: string | undefined): string | undefined {
  return url !== undefined && urlProblem(url) === undefined ? url : undefined;
}

function dropLink(p: RegistryPlugin, field: string): void {
  if (field === 'homepage') {
    delete p.homepage;
    return;
  }
  const [, which, key] = field.split('/') as [string, 'primary' | 'mirror', 'url' | 'api_url' | 'releases_url'];
  const ref = p.repository[which];
  // `url` is required by the schema; an empty string renders as no link.
  if (!ref) return;
  if (key === 'url') ref.url = '';
  else delete ref[key];
}

// A sharded registry's registry.json is an unsigned summary (schemas/json/summary.schema.json): the entries live
// in registry-head.json and plugins/<id>.json beside it. Only the summary's own file pattern may become a path.
const PLUGIN_FILE = /^plugins\/[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\.json$/;

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`[wharf-site] cannot read ${file}: ${(e as Error).message}`);
  }
}

/** The whole catalog as one registry document, whichever layout `path` has; validated like any registry after. */
function assembleSharded(raw: unknown, path: string): unknown {
  const summary = raw as { layout?: { kind?: unknown; head?: unknown }; plugins?: unknown };
  if (summary?.layout?.kind !== 'sharded') return raw;
  if (!Array.isArray(summary.plugins)) throw new Error(`[wharf-site] ${path}: a sharded summary lists no plugins`);
  const dir = dirname(path);
  const head = readJson(join(dir, 'registry-head.json')) as Record<string, unknown>;
  const plugins = summary.plugins.map((e: { plugin_id?: unknown; file?: unknown }, i: number) => {
    if (typeof e?.file !== 'string' || !PLUGIN_FILE.test(e.file) || e.file !== `plugins/${e.plugin_id}.json`)
      throw new Error(`[wharf-site] ${path}: summary entry ${i} names no plugin file of its own`);
    const p = readJson(join(dir, e.file)) as { plugin_id?: unknown };
    if (p?.plugin_id !== e.plugin_id) throw new Error(`[wharf-site] ${e.file} describes another plugin`);
    return p;
  });
  return { ...head, plugins };
}

let cached: SiteRegistry | undefined;

export function loadRegistry(): SiteRegistry {
  if (cached) return cached;
  const path = registryPath();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`[wharf-site] cannot read the registry ${path}: ${(e as Error).message}`);
  }
  raw = assembleSharded(raw, path);
  const result = validateRegistry(raw);
  const fatal: Problem[] = [];
  const links: Array<{ index: number; field: string; problem: Problem }> = [];
  if (!result.ok) {
    for (const problem of result.problems) {
      const m = LINK_FIELD.exec(problem.path);
      if (m && (problem.code === 'E_URL_SCHEME' || problem.code === 'E_TEXT_CONTROL_CHARS'))
        links.push({ index: Number(m[1]), field: m[2] as string, problem });
      else fatal.push(problem);
    }
  }
  if (fatal.length > 0) {
    const lines = fatal.slice(0, 20).map((p) => `  ${p.code} ${p.message}`);
    throw new Error(`[wharf-site] ${path} is not a valid registry:\n${lines.join('\n')}`);
  }
  const registry = raw as Registry;
  const dropped: DroppedLink[] = [];
  const seen = new Set<string>();
  for (const { index, field, problem } of links) {
    // A control character in a URL is reported twice (scheme and text); flag it once.
    if (seen.has(`${index}${field}`)) continue;
    seen.add(`${index}${field}`);
    const p = registry.plugins[index] as RegistryPlugin;
    dropLink(p, field);
    dropped.push({ plugin_id: p.plugin_id, field, reason: problem.message });
    // JSON.stringify keeps control characters in the log visible and inert.
    console.warn(`[wharf-site] dropped link: plugin ${p.plugin_id} field ${field}: ${JSON.stringify(problem.message)}`);
  }
  cached = {
    registry,
    byId: new Map(registry.plugins.map((p) => [p.plugin_id, p])),
    categories: new Map(registry.categories.map((c) => [c.id, c])),
    dropped,
    path,
  };
  return cached;
}

/** Plugins the catalog lists: removed ones are gone from every page. */
export function listedPlugins(): RegistryPlugin[] {
  return loadRegistry().registry.plugins.filter((p) => p.status !== 'removed');
}
