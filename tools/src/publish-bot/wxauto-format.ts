import {
  forgeRepoRef,
  type Registry,
  type RegistryPlugin,
  type RepoRef,
  readRegistryWithNotes,
  releasesApiUrl,
  validateRegistry,
  WharfError,
  WXAUTO_PERMISSIONS,
} from '@wharf/schemas';

/** Wharf permissions → the WXAUTO-MGT strings that grant them (the reverse of schemas' WXAUTO_PERMISSIONS). */
function wxautoPermissions(p: RegistryPlugin): string[] {
  // An imported entry keeps its own strings; mapping them to Wharf permissions and back would lose most of them.
  if (p.wxauto?.permissions) return [...p.wxauto.permissions];
  const perms = p.releases.find((r) => r.version === p.versions.latest)?.permissions ?? {};
  const out: string[] = ['message.process'];
  if ((perms.allowed_hosts ?? []).length > 0) out.push('network.http', 'network.https');
  if (Object.keys(perms.allowed_paths ?? {}).length > 0) out.push('file.read', 'file.write');
  if ((perms.config_keys ?? []).length > 0) out.push('config.read');
  return out.filter((x) => x in WXAUTO_PERMISSIONS);
}

/**
 * WXAUTO-MGT's PluginRepository dataclass needs url, api_url and releases_url (a missing one drops the whole
 * entry), and its client GETs releases_url as a JSON list, so it is the forge's REST endpoint, never the HTML
 * page. Known forges get both derived from the URL; elsewhere there is no API to name, so the two are empty
 * strings (the client then finds no releases, as it would for any unreachable URL).
 */
function wxautoRepo(
  ref: RepoRef | undefined,
  fallbackUrl: string,
): { url: string; api_url: string; releases_url: string } {
  const url = ref?.url || fallbackUrl;
  const forge = forgeRepoRef(url);
  return {
    url: forge?.url ?? url,
    api_url: forge?.api_url ?? ref?.api_url ?? '',
    releases_url: forge?.releases_url ?? (ref?.releases_url ? releasesApiUrl(ref.releases_url) : ''),
  };
}

/** Exported: what a WXAUTO client may offer. Suspended and removed plugins are left out (it would offer updates). */
const EXPORTED_STATUSES: ReadonlySet<RegistryPlugin['status']> = new Set(['active', 'deprecated']);

/**
 * `wharf-admin export --format wxauto`: the catalog in WXAUTO-MGT's registry.json shape, with every field its client
 * reads filled, so no entry is dropped. Hashes and signatures have no place there; WXAUTO clients install unpinned.
 * Entries imported from WXAUTO-MGT come back with what they carried (compatibility, permission strings, …).
 */
export function exportWxauto(registry: Registry, opts: { registryUrl?: string; mirrorUrls?: string[] } = {}): unknown {
  const kept = registry.plugins.filter((p) => EXPORTED_STATUSES.has(p.status));
  const plugins = kept.map((p) => {
    const latest = p.releases.find((r) => r.version === p.versions.latest);
    const review = latest?.review;
    const wx = p.wxauto ?? {};
    const homepage = p.homepage ?? p.repository.primary.url;
    return {
      plugin_id: p.legacy_id ?? p.plugin_id,
      name: p.name_zh ?? p.name,
      short_description: p.short_description,
      description: p.description_zh ?? p.description,
      category: p.category,
      tags: p.tags,
      author: {
        name: p.author.name,
        github: p.author.github ?? '',
        email: p.author.email ?? '',
        ...(wx.author_website ? { website: wx.author_website } : {}),
      },
      license: p.license,
      homepage,
      repository: {
        type: 'git',
        primary: wxautoRepo(p.repository.primary, homepage),
        ...(p.repository.mirror ? { mirror: wxautoRepo(p.repository.mirror, '') } : {}),
      },
      versions: {
        latest: p.versions.latest,
        stable: p.versions.stable,
        minimum_supported: p.versions.minimum_supported,
      },
      compatibility: {
        min_wxauto_version: '1.0.0',
        python_version: '>=3.8',
        supported_os: ['Windows', 'Linux', 'Darwin'],
        ...wx.compatibility,
      },
      dependencies: wx.dependencies ?? [],
      permissions: wxautoPermissions(p),
      features: wx.features ?? [],
      screenshots: wx.screenshots ?? [],
      ...(wx.demo_video ? { demo_video: wx.demo_video } : {}),
      ...(wx.documentation ? { documentation: wx.documentation } : {}),
      ...(wx.issue_tracker ? { issue_tracker: wx.issue_tracker } : {}),
      stats: {
        downloads: p.stats.downloads,
        stars: p.stats.stars,
        forks: wx.forks ?? 0,
        rating: p.stats.rating ?? 0,
        rating_count: wx.rating_count ?? 0,
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
        : wx.review
          ? { review: { ...wx.review } }
          : {}),
    };
  });
  const reviews = plugins
    .map((p) => p.review?.review_date)
    .filter((d): d is string => Boolean(d))
    .sort();
  // get_plugin_statistics()'s rules over exactly what is exported, so the block agrees with what a WXAUTO
  // client (or `wharf stats` on this file as a source) computes: totals over every entry, featured and
  // verified over active ones.
  const active = kept.filter((p) => p.status === 'active');
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
      total_downloads: kept.reduce((n, p) => n + p.stats.downloads, 0),
      featured_plugins: active.filter((p) => p.featured).length,
      verified_plugins: active.filter((p) => p.verified).length,
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
