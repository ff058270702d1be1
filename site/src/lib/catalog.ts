// Views over the registry that several pages need, computed once per build.
import type { RegistryPlugin } from '@wharf/schemas';
import { LANGS, langParam } from './i18n';
import { listedPlugins, loadRegistry } from './registry-source';

export const CATEGORY_PAGE_SIZE = 100;
const HOME_LIST = 6;

let memo: ReturnType<typeof compute> | undefined;

function compute() {
  const plugins = listedPlugins();
  const byCategory = new Map<string, RegistryPlugin[]>();
  for (const c of loadRegistry().registry.categories) byCategory.set(c.id, []);
  for (const p of plugins) byCategory.get(p.category)?.push(p);
  for (const list of byCategory.values()) list.sort((a, b) => a.name.localeCompare(b.name, 'en'));
  const byDownloads = [...plugins].sort((a, b) => b.stats.downloads - a.stats.downloads);
  return {
    plugins,
    byCategory,
    featured: byDownloads.filter((p) => p.featured).slice(0, HOME_LIST),
    popular: byDownloads.slice(0, HOME_LIST),
    recent: [...plugins].sort((a, b) => b.updated_at.localeCompare(a.updated_at)).slice(0, HOME_LIST),
    tags: [...new Set(plugins.flatMap((p) => p.tags))].sort(),
  };
}

export function catalog() {
  memo ??= compute();
  return memo;
}

/** getStaticPaths entries for a page that exists once per language. */
export function perLanguage() {
  return LANGS.map((lang) => ({ params: { lang: langParam(lang) }, props: { lang } }));
}
