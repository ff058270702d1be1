// A release's README (untrusted Markdown from the author's repository) to HTML, at build time. unified's
// remark/rehype pipeline parses it (GFM), rehype-sanitize with GitHub's schema strips anything that could run —
// scripts, event handlers, style attributes, iframes, forms — and only then are links resolved and code
// highlighted (lowlight classes, no inline styles, so the CSP stays `style-src 'self'`).
import type { Element, Root } from 'hast';
import rehypeHighlight from 'rehype-highlight';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize, { defaultSchema } from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { type Transformer, unified } from 'unified';
import { visit } from 'unist-util-visit';
import { safeHref } from './registry-source';

export interface RepoAtTag {
  /** Where a relative link goes: ".../blob/<tag>/" on GitHub, ".../blob/<tag>/" on Gitee. */
  blob: string;
  /** Where a relative image's bytes are. */
  raw: string;
}

/** The repository's browse and raw bases at `tag`, for github.com and gitee.com repositories. */
export function repoAtTag(repoUrl: string | undefined, tag: string): RepoAtTag | undefined {
  let u: URL;
  try {
    u = new URL(repoUrl ?? '');
  } catch {
    return undefined;
  }
  const [owner, name] = u.pathname
    .replace(/\.git$/, '')
    .split('/')
    .filter(Boolean);
  if (u.protocol !== 'https:' || !owner || !name) return undefined;
  const t = encodeURIComponent(tag);
  if (u.hostname === 'github.com')
    return {
      blob: `https://github.com/${owner}/${name}/blob/${t}/`,
      raw: `https://raw.githubusercontent.com/${owner}/${name}/${t}/`,
    };
  if (u.hostname === 'gitee.com')
    return {
      blob: `https://gitee.com/${owner}/${name}/blob/${t}/`,
      raw: `https://gitee.com/${owner}/${name}/raw/${t}/`,
    };
  return undefined;
}

// GitHub's schema, less task-list checkboxes (an unlabelled input is an accessibility failure on our page).
const schema = {
  ...defaultSchema,
  tagNames: (defaultSchema.tagNames ?? []).filter((t) => t !== 'input'),
};

/** A relative or https URL made absolute against `base`; anything else (javascript:, data:, http:) is refused. */
function resolveUrl(raw: unknown, base: string | undefined): string | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  if (raw.startsWith('#')) return raw;
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw) || raw.startsWith('//')) return safeHref(raw);
  if (!base) return undefined;
  try {
    return safeHref(new URL(raw.replace(/^\/+/, ''), base).toString());
  } catch {
    return undefined;
  }
}

function demoteHeadings(node: Element): void {
  const m = /^h([1-6])$/.exec(node.tagName);
  if (m) node.tagName = `h${Math.min(6, Number(m[1]) + 1)}`;
}

/** Links and images point at the repository at the tag (file.data.repo); images become links (the CSP loads no
 * remote image). */
function rehypeRepoLinks(): Transformer<Root> {
  return (tree, file) => {
    const repo = file.data.repo as RepoAtTag | undefined;
    visit(tree, 'element', (node, index, parent) => {
      demoteHeadings(node);
      // A code block may scroll sideways; keyboard users must be able to reach it (axe scrollable-region-focusable).
      if (node.tagName === 'pre') node.properties.tabIndex = 0;
      if (node.tagName === 'a') {
        const href = resolveUrl(node.properties.href, repo?.blob);
        if (href === undefined) delete node.properties.href;
        else {
          node.properties.href = href;
          if (!href.startsWith('#')) node.properties.rel = ['nofollow', 'ugc', 'noopener', 'noreferrer'];
        }
      } else if (node.tagName === 'img' && parent && index !== undefined) {
        const src = resolveUrl(node.properties.src, repo?.raw);
        const alt = typeof node.properties.alt === 'string' && node.properties.alt ? node.properties.alt : 'image';
        const text = { type: 'text' as const, value: `[${alt}]` };
        const replacement: Element = src
          ? {
              type: 'element',
              tagName: 'a',
              properties: { href: src, rel: ['nofollow', 'ugc', 'noopener', 'noreferrer'], className: ['readme-img'] },
              children: [text],
            }
          : { type: 'element', tagName: 'span', properties: { className: ['readme-img'] }, children: [text] };
        parent.children[index] = replacement;
      }
    });
  };
}

/** Sanitized HTML for a README; `repoUrl` and `tag` resolve its relative links and images. */
// Built once: setting the pipeline up (rehype-highlight registers its grammars) cost 9 of a 1.3 KB README's 15 ms.
const processor = unified()
  .use(remarkParse)
  .use(remarkGfm)
  .use(remarkRehype, { allowDangerousHtml: true })
  .use(rehypeRaw)
  .use(rehypeSanitize, schema)
  .use(rehypeRepoLinks)
  .use(rehypeHighlight, { detect: false })
  .use(rehypeStringify)
  .freeze();

export function renderReadme(markdown: string, repoUrl: string | undefined, tag: string): string {
  return String(processor.processSync({ value: markdown, data: { repo: repoAtTag(repoUrl, tag) } }));
}

// Both languages' pages of a plugin show the same README, and the plugin page lists its paths plugin by plugin
// (en, zh, next plugin), so the few most recent results are enough to render each README once per build while
// memory stays flat at 100k plugins. Rendering is the most expensive part of a plugin page (~15–40 ms for 6 KB).
const recent = new Map<string, string>();
const RECENT = 32;

/** renderReadme, once for both languages' pages. */
export function renderReadmeOnce(markdown: string, repoUrl: string | undefined, tag: string): string {
  const key = `${repoUrl ?? ''}\0${tag}\0${markdown}`;
  let html = recent.get(key);
  if (html === undefined) {
    html = renderReadme(markdown, repoUrl, tag);
    recent.set(key, html);
    if (recent.size > RECENT) recent.delete(recent.keys().next().value as string);
  }
  return html;
}
