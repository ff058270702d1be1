// /api/plugins/<id>.json: a plugin's registry entry as the registry has it (releases, keys, permissions, review).
import type { RegistryPlugin } from '@wharf/schemas';
import type { APIContext } from 'astro';
import { catalog } from '../../../lib/catalog';
import { apiSummary } from '../../../lib/feeds';

export function getStaticPaths() {
  return catalog().plugins.map((plugin) => ({ params: { id: plugin.plugin_id }, props: { plugin } }));
}

export function GET({ props }: APIContext<{ plugin: RegistryPlugin }>): Response {
  const { url, api } = apiSummary(props.plugin);
  const body = { api_version: 1, url, api, plugin: props.plugin };
  return new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });
}
