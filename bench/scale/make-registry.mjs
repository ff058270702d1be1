// node bench/scale/make-registry.mjs <dir> <N> [--artifact-base <url>]
// A published, signed registry of N synthetic plugins, keys at <dir>.keys as `wharf-admin registry init` makes
// them, usable by `wharf-admin add`/`publish` and `wharf source add --root-file <dir>/metadata/1.root.json`.
// Names and descriptions come from the Obsidian catalog in ../shared/data/registries/ (cycled with a suffix past
// its 6,858 entries); each plugin has 1–4 releases. One real plugin, `greet` from examples/, is added through
// `wharf-admin add`'s own code so that a client can install it end to end; other artifacts do not exist.
// At or above SHARD_THRESHOLD plugins the registry is sharded (TUF hashed bins); below it, one registry.json.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

process.emitWarning = () => {};
const tools = await import('@wharf/tools');
const { idCollisionKey, isValidId } = await import('@wharf/schemas');

const repo = resolve(import.meta.dirname, '..', '..');
const CATALOG = resolve(repo, '..', 'shared', 'data', 'registries', 'obsidian', 'community-plugins.json');

/** A small deterministic PRNG (mulberry32): the same N gives the same registry. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An id the registry accepts, from an Obsidian id; made unique with a numeric suffix. */
function wharfId(raw, seen) {
  let base = String(raw)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (!/^[a-z]/.test(base)) base = `p-${base}`;
  base = base.slice(0, 40).replace(/-$/, '') || 'plugin';
  if (base.length < 3) base = `${base}-plugin`; // the id rule: 3 to 64 characters (Obsidian has "mq")
  let id = base;
  // Unique under the registry's collision rule too ("date-picker" and "datepicker" are one name there).
  for (let i = 2; seen.has(idCollisionKey(id)); i++) id = `${base}-${i}`;
  // The files are written directly (no add per plugin), so the id rule is checked here.
  if (!isValidId(id)) throw new Error(`make-registry: ${JSON.stringify(id)} breaks the id rule`);
  seen.add(idCollisionKey(id));
  return id;
}

function shortText(text, n) {
  const t = String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length <= n ? t : `${t.slice(0, n - 1)}…`;
}

export async function makeRegistry(dir, n, opts = {}) {
  const registryDir = resolve(dir);
  const t0 = performance.now();
  const init = await tools.initRegistry(registryDir, { name: `Synthetic registry (${n} plugins)` });
  const keysDir = init.keysDir;

  // The one real plugin, through `wharf-admin add`'s code path, as the template for the synthetic ones.
  const greet = join(repo, 'examples', 'greet');
  const artifactBase = opts.artifactBase ?? 'https://example.invalid/artifacts';
  await tools.addReleaseFromFiles(registryDir, {
    manifestPath: join(greet, 'plugin.json'),
    wasmPath: join(greet, 'plugin.wasm'),
    sigPath: join(greet, 'plugin.wasm.minisig'),
    urls: [`${artifactBase}/greet/plugin.wasm`],
  });
  const registry = JSON.parse(readFileSync(join(registryDir, 'registry.json'), 'utf8'));
  const template = registry.plugins[0];
  const catalog = JSON.parse(readFileSync(CATALOG, 'utf8'));
  const rand = rng(n);
  const seen = new Set([idCollisionKey(template.plugin_id)]);
  const sharded = n >= tools.SHARD_THRESHOLD;
  const plugins = sharded ? undefined : [template];
  const summary = [tools.summaryEntry(template)];
  if (sharded) mkdirSync(join(registryDir, 'plugins'), { recursive: true });
  const write = (p) => {
    if (sharded) writeFileSync(join(registryDir, 'plugins', `${p.plugin_id}.json`), tools.pluginFileBytes(p));
    else plugins.push(p);
  };
  if (sharded) write(template);
  const categories = registry.categories.map((c) => c.id);
  const day = 86_400_000;
  const epoch = Date.parse('2025-01-01T00:00:00Z');
  for (let i = 1; i < n; i++) {
    const src = catalog[i % catalog.length];
    const round = Math.floor(i / catalog.length);
    const id = wharfId(round ? `${src.id}-${round}` : src.id, seen);
    const releases = [];
    const count = 1 + Math.floor(rand() * 4);
    let t = epoch + Math.floor(rand() * 300) * day;
    for (let r = 0; r < count; r++) {
      const version = `1.${r}.${Math.floor(rand() * 10)}`;
      const sha256 = createHash('sha256').update(`${id}@${version}`).digest('hex');
      const base = template.releases[0];
      releases.push({
        ...base,
        version,
        tag: `v${version}`,
        published_at: new Date(t).toISOString(),
        artifact: {
          ...base.artifact,
          sha256,
          size: 1000 + Math.floor(rand() * 500_000),
          urls: [`${artifactBase}/${id}/${version}/plugin.wasm`],
        },
      });
      t += Math.floor(1 + rand() * 30) * day;
    }
    const latest = releases.at(-1).version;
    const name = round ? `${shortText(src.name, 60)} ${round + 1}` : shortText(src.name, 64);
    const description = shortText(src.description, 1000) || name;
    const p = {
      ...template,
      plugin_id: id,
      name,
      short_description: shortText(description, 140),
      description,
      category: categories[i % categories.length],
      tags: [],
      author: { name: shortText(src.author, 60) || 'unknown' },
      repository: { primary: { url: `https://github.com/${src.repo}` } },
      versions: { latest, stable: latest, minimum_supported: releases[0].version },
      releases,
      stats: { downloads: Math.floor(rand() * 100_000), stars: Math.floor(rand() * 1000) },
      created_at: releases[0].published_at,
      updated_at: releases.at(-1).published_at,
    };
    delete p.homepage;
    write(p);
    summary.push(tools.summaryEntry(p));
  }
  let publish;
  if (sharded) {
    const { plugins: _omit, ...head } = registry;
    writeFileSync(join(registryDir, tools.HEAD_TARGET), `${JSON.stringify(head, null, 2)}\n`);
    publish = await tools.publishShardedFull(registryDir, { keysDir, head });
    await tools.writeSummaryEntries(registryDir, head, summary, publish.bitLength);
  } else {
    writeFileSync(join(registryDir, 'registry.json'), `${JSON.stringify({ ...registry, plugins }, null, 2)}\n`);
    publish = await tools.publishRegistry(registryDir, { keysDir });
  }
  return {
    registryDir,
    keysDir,
    rootSha256: init.rootSha256,
    sharded,
    plugins: n,
    publish,
    ms: Math.round(performance.now() - t0),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, count, ...rest] = process.argv.slice(2);
  const n = Number(count);
  if (!dir || !Number.isInteger(n) || n < 1) {
    console.error('usage: node bench/scale/make-registry.mjs <dir> <N> [--artifact-base <url>]');
    process.exit(2);
  }
  if (existsSync(dir) && execFileSync('ls', ['-A', dir]).length > 0) {
    console.error(`${dir} exists and is not empty`);
    process.exit(2);
  }
  const at = rest.indexOf('--artifact-base');
  const r = await makeRegistry(dir, n, at >= 0 ? { artifactBase: rest[at + 1] } : {});
  console.log(
    `${r.plugins} plugins (${r.sharded ? `sharded, ${2 ** r.publish.bitLength} bins` : 'one registry.json'}) in ${r.registryDir}, keys ${r.keysDir}, ${(r.ms / 1000).toFixed(1)} s\nroot sha256 ${r.rootSha256}`,
  );
}
