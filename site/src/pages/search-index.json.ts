// The static search index, fetched by the browser on the first keystroke. One file for both languages.
import { listedPlugins } from '../lib/registry-source';
import { buildSearchIndex } from '../lib/search-core.js';

export function GET(): Response {
  return new Response(JSON.stringify(buildSearchIndex(listedPlugins())), {
    headers: { 'Content-Type': 'application/json' },
  });
}
