// Machine-readable views of the registry, written at build time: Atom feeds of releases, the static JSON API
// (documented in site/docs/*/api.md), the sitemap. URLs are absolute when the build knows the site's address
// (WHARF_SITE_URL); otherwise feed links stay base-relative (Atom resolves them against the feed's own URL).
import type { RegistryPlugin, Release } from '@wharf/schemas';
import { localePath, translator } from './i18n';
import { xml } from './text';

/** An absolute URL for a site path when `site` is configured, else the path itself. */
export function siteUrl(site: URL | undefined, path: string): string {
  return site ? new URL(path, site).toString() : path;
}

export { xml } from './text';

export interface FeedRelease {
  plugin: RegistryPlugin;
  release: Release;
}

/** Every release, newest first; `limit` keeps the feed small. */
export function newestReleases(plugins: RegistryPlugin[], limit: number): FeedRelease[] {
  return plugins
    .flatMap((plugin) => plugin.releases.map((release) => ({ plugin, release })))
    .sort(
      (a, b) =>
        b.release.published_at.localeCompare(a.release.published_at) ||
        a.plugin.plugin_id.localeCompare(b.plugin.plugin_id),
    )
    .slice(0, limit);
}

export function atomFeed(opts: {
  site: URL | undefined;
  id: string;
  title: string;
  selfPath: string;
  pagePath: string;
  updated: string;
  entries: FeedRelease[];
}): string {
  const u = (p: string) => xml(siteUrl(opts.site, p));
  const entries = opts.entries.map(({ plugin: p, release: r }) => {
    const page = localePath('en', `plugins/${p.plugin_id}/`);
    const state = r.yanked ? ' (yanked)' : r.deprecated !== undefined ? ' (deprecated)' : '';
    return [
      '  <entry>',
      `    <id>urn:wharf:release:${xml(p.plugin_id)}:${xml(r.version)}</id>`,
      `    <title>${xml(`${p.name} ${r.version}${state}`)}</title>`,
      `    <link rel="alternate" type="text/html" href="${u(page)}"/>`,
      `    <updated>${xml(r.published_at)}</updated>`,
      `    <author><name>${xml(p.author.name)}</name></author>`,
      `    <category term="${xml(p.category)}"/>`,
      `    <summary>${xml(p.short_description)}</summary>`,
      '  </entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xml(opts.id)}</id>`,
    `  <title>${xml(opts.title)}</title>`,
    `  <link rel="self" type="application/atom+xml" href="${u(opts.selfPath)}"/>`,
    `  <link rel="alternate" type="text/html" href="${u(opts.pagePath)}"/>`,
    `  <updated>${xml(opts.updated)}</updated>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

/** What /api/index.json lists for a plugin: enough for a card or a search, with links to the rest. */
export function apiSummary(p: RegistryPlugin) {
  return {
    plugin_id: p.plugin_id,
    name: p.name,
    ...(p.name_zh ? { name_zh: p.name_zh } : {}),
    short_description: p.short_description,
    category: p.category,
    tags: p.tags,
    author: p.author.name,
    license: p.license,
    latest: p.versions.latest,
    updated_at: p.updated_at,
    downloads: p.stats.downloads,
    verified: p.verified,
    status: p.status,
    url: localePath('en', `plugins/${p.plugin_id}/`),
    api: localePath('en', `api/plugins/${p.plugin_id}.json`),
  };
}

/** /plugins/<id>/feed.xml: one plugin's releases, newest first. */
export function pluginFeed(site: URL | undefined, p: RegistryPlugin): string {
  return atomFeed({
    site,
    id: `urn:wharf:plugin:${p.plugin_id}`,
    title: translator('en')('feed.pluginTitle', { name: p.name }),
    selfPath: localePath('en', `plugins/${p.plugin_id}/feed.xml`),
    pagePath: localePath('en', `plugins/${p.plugin_id}/`),
    updated: p.updated_at,
    entries: newestReleases([p], 100),
  });
}

/** /api/plugins/<id>.json: a plugin's registry entry as the registry has it (releases, keys, permissions, review). */
export function pluginApiEntry(p: RegistryPlugin): string {
  const { url, api } = apiSummary(p);
  return JSON.stringify({ api_version: 1, url, api, plugin: p });
}
