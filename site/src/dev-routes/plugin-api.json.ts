// `astro dev` only: /api/plugins/<id>.json, which a build writes in its build-done hook (lib/build-files.ts).
import type { RegistryPlugin } from '@wharf/schemas';
import type { APIContext } from 'astro';
import { catalog } from '../lib/catalog';
import { pluginApiEntry } from '../lib/feeds';

export function getStaticPaths() {
  return catalog().plugins.map((plugin) => ({ params: { id: plugin.plugin_id }, props: { plugin } }));
}

export function GET({ props }: APIContext<{ plugin: RegistryPlugin }>): Response {
  return new Response(pluginApiEntry(props.plugin), { headers: { 'Content-Type': 'application/json' } });
}
