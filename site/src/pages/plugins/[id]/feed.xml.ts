// /plugins/<id>/feed.xml: one plugin's releases, newest first.
import type { RegistryPlugin } from '@wharf/schemas';
import type { APIContext } from 'astro';
import { catalog } from '../../../lib/catalog';
import { atomFeed, newestReleases } from '../../../lib/feeds';
import { localePath, translator } from '../../../lib/i18n';

export function getStaticPaths() {
  return catalog().plugins.map((plugin) => ({ params: { id: plugin.plugin_id }, props: { plugin } }));
}

export function GET({ site, props }: APIContext<{ plugin: RegistryPlugin }>): Response {
  const p = props.plugin;
  const body = atomFeed({
    site,
    id: `urn:wharf:plugin:${p.plugin_id}`,
    title: translator('en')('feed.pluginTitle', { name: p.name }),
    selfPath: localePath('en', `plugins/${p.plugin_id}/feed.xml`),
    pagePath: localePath('en', `plugins/${p.plugin_id}/`),
    updated: p.updated_at,
    entries: newestReleases([p], 100),
  });
  return new Response(body, { headers: { 'Content-Type': 'application/atom+xml' } });
}
