// /feed.xml: an Atom feed of the newest releases across the registry.
import type { APIContext } from 'astro';
import { atomFeed, newestReleases } from '../lib/feeds';
import { localePath, translator } from '../lib/i18n';
import { listedPlugins, loadRegistry } from '../lib/registry-source';

export function GET({ site }: APIContext): Response {
  const t = translator('en');
  const body = atomFeed({
    site,
    id: 'urn:wharf:feed:releases',
    title: t('feed.title'),
    selfPath: localePath('en', 'feed.xml'),
    pagePath: localePath('en'),
    updated: loadRegistry().registry.last_updated,
    entries: newestReleases(listedPlugins(), 50),
  });
  return new Response(body, { headers: { 'Content-Type': 'application/atom+xml' } });
}
