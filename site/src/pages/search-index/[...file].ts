// The sharded search index as static files: search-index/manifest.json and the chunks it names. The browser's
// worker fetches the manifest on focus and then only the chunks a query needs.
import type { APIRoute, GetStaticPaths } from 'astro';
import { listedPlugins } from '../../lib/registry-source';
import { searchIndexFiles } from '../../lib/search-index-files';

let built: Map<string, string> | undefined;
/** Built once per site build: getStaticPaths and every GET share it. */
const files = () => (built ??= searchIndexFiles(listedPlugins()));

export const getStaticPaths: GetStaticPaths = () => [...files().keys()].map((file) => ({ params: { file } }));

export const GET: APIRoute = ({ params }) => {
  const body = files().get(String(params.file));
  if (body === undefined) return new Response(null, { status: 404 });
  return new Response(body, { headers: { 'Content-Type': 'application/json' } });
};
