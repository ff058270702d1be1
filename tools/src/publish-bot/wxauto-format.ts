import {
  type Registry,
  type RegistryPlugin,
  readRegistryWithNotes,
  validateRegistry,
  WharfError,
  WXAUTO_PERMISSIONS,
} from '@wharf/schemas';

/** Wharf permissions → the WXAUTO-MGT strings that grant them (the reverse of schemas' WXAUTO_PERMISSIONS). */
function wxautoPermissions(p: RegistryPlugin): string[] {
  const perms = p.releases.find((r) => r.version === p.versions.latest)?.permissions ?? {};
  const out: string[] = ['message.process'];
  if ((perms.allowed_hosts ?? []).length > 0) out.push('network.http', 'network.https');
  if (Object.keys(perms.allowed_paths ?? {}).length > 0) out.push('file.read', 'file.write');
  if ((perms.config_keys ?? []).length > 0) out.push('config.read');
  return out.filter((x) => x in WXAUTO_PERMISSIONS);
}

/**
 * `wharf-admin export --format wxauto`: the catalog in WXAUTO-MGT's registry.json shape, with every field its client
 * reads filled, so no entry is dropped. Hashes and signatures have no place there; WXAUTO clients install unpinned.
 */
export function exportWxauto(registry: Registry, opts: { registryUrl?: string; mirrorUrls?: string[] } = {}): unknown {
  const plugins = registry.plugins.map((p) => {
    const latest = p.releases.find((r) => r.version === p.versions.latest);
    const review = latest?.review;
    return {
      plugin_id: p.legacy_id ?? p.plugin_id,
      name: p.name_zh ?? p.name,
      short_description: p.short_description,
      description: p.description_zh ?? p.description,
      category: p.category,
      tags: p.tags,
      author: { name: p.author.name, github: p.author.github ?? '', email: p.author.email ?? '' },
      license: p.license,
      homepage: p.homepage ?? p.repository.primary.url,
      repository: {
        type: 'git',
        primary: p.repository.primary,
        ...(p.repository.mirror ? { mirror: p.repository.mirror } : {}),
      },
      versions: p.versions,
      compatibility: {
        min_wxauto_version: '1.0.0',
        python_version: '>=3.8',
        supported_os: ['Windows', 'Linux', 'Darwin'],
      },
      dependencies: [],
      permissions: wxautoPermissions(p),
      features: [],
      screenshots: [],
      stats: {
        downloads: p.stats.downloads,
        stars: p.stats.stars,
        forks: 0,
        rating: p.stats.rating ?? 0,
        rating_count: 0,
      },
      status: p.status,
      verified: p.verified,
      featured: p.featured,
      created_at: p.created_at,
      updated_at: p.updated_at,
      ...(review
        ? {
            review: {
              reviewer: 'wharf-review-bot',
              review_date: review.reviewed_at,
              security_score: review.security_score,
              quality_score: review.quality_score,
              comments: `${review.checks.filter((c) => c.status === 'pass').length}/${review.checks.length} checks passed`,
            },
          }
        : {}),
    };
  });
  const reviews = plugins
    .map((p) => p.review?.review_date)
    .filter((d): d is string => Boolean(d))
    .sort();
  return {
    version: '1.0.0',
    last_updated: registry.last_updated,
    ...(opts.registryUrl ? { registry_url: opts.registryUrl } : {}),
    mirror_urls: opts.mirrorUrls ?? [],
    plugins,
    categories: registry.categories.map((c) => ({
      id: c.id,
      name: c.name_zh ?? c.name,
      description: c.description,
      icon: c.icon,
    })),
    metadata: {
      total_plugins: plugins.length,
      total_downloads: registry.plugins.reduce((n, p) => n + p.stats.downloads, 0),
      featured_plugins: registry.plugins.filter((p) => p.featured).length,
      verified_plugins: registry.plugins.filter((p) => p.verified).length,
      last_review_date: reviews.at(-1) ?? registry.last_updated,
    },
  };
}

/**
 * `wharf-admin import --format wxauto`: adds the WXAUTO entries this registry doesn't have yet, as catalog entries
 * with no releases (nothing pinned, so nothing installable until the author submits a signed release).
 */
export function importWxauto(
  registry: Registry,
  wxauto: unknown,
): { registry: Registry; added: string[]; notes: string[] } {
  const reading = readRegistryWithNotes(wxauto);
  if (reading.kind !== 'wxauto-registry')
    throw new WharfError('E_SCHEMA', 'the file is not a WXAUTO-MGT registry.json');
  const have = new Set(registry.plugins.map((p) => p.plugin_id));
  const fresh = reading.registry.plugins.filter((p) => !have.has(p.plugin_id));
  const notes = [...reading.notes];
  for (const p of reading.registry.plugins)
    if (have.has(p.plugin_id)) notes.push(`${p.plugin_id} already present, kept as is`);
  const next: Registry = {
    ...registry,
    plugins: [...registry.plugins, ...fresh],
    last_updated: new Date().toISOString(),
  };
  const v = validateRegistry(next);
  if (!v.ok)
    throw new WharfError(
      'E_SCHEMA',
      `the merged registry is invalid: ${v.problems[0]?.path} ${v.problems[0]?.message}`,
    );
  return { registry: next, added: fresh.map((p) => p.plugin_id), notes };
}
