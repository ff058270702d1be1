// /robots.txt: everything may be crawled; the sitemap is named when the site's address is known.
import type { APIContext } from 'astro';
import { localePath } from '../lib/i18n';

export function GET({ site }: APIContext): Response {
  const lines = ['User-agent: *', 'Allow: /'];
  if (site) lines.push(`Sitemap: ${new URL(localePath('en', 'sitemap.xml'), site).toString()}`);
  return new Response(`${lines.join('\n')}\n`, { headers: { 'Content-Type': 'text/plain' } });
}
