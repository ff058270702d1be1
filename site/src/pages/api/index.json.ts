// /api/index.json: every listed plugin in brief (site/docs/en/api.md describes the fields).
import { apiSummary } from '../../lib/feeds';
import { listedPlugins, loadRegistry } from '../../lib/registry-source';

export function GET(): Response {
  const { registry } = loadRegistry();
  const body = {
    api_version: 1,
    name: registry.name,
    last_updated: registry.last_updated,
    categories: registry.categories,
    plugins: listedPlugins().map(apiSummary),
  };
  return new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });
}
