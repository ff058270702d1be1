// Docs entries are "<lang>/<slug>"; the title is front matter `title`, else the first "# " heading, else the slug.
interface DocEntry {
  id: string;
  body?: string;
  data: { title?: string; order?: number };
}

export function docSlug(id: string): string {
  return id.slice(id.indexOf('/') + 1);
}

export function docTitle(d: DocEntry): string {
  return d.data.title ?? /^#\s+(.+)$/m.exec(d.body ?? '')?.[1]?.trim() ?? docSlug(d.id);
}

const ORDER = ['getting-started', 'submitting', 'private-registry', 'maintainers'];

export function sortDocs<T extends DocEntry>(docs: T[]): T[] {
  const rank = (d: T) => d.data.order ?? (ORDER.indexOf(docSlug(d.id)) + 1 || 99);
  return [...docs].sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
}
