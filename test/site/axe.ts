// axe-core in the browser tests. axe is loaded as an init script of the context (run in every page before the
// page's own scripts, outside its CSP): handing its 650 KB source to page.evaluate cost ~700 ms per page here,
// most of the accessibility tests' time; as an init script it is ~50-130 ms.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';

const AXE = readFileSync(
  join(resolve(import.meta.dirname, '..', '..'), 'node_modules', 'axe-core', 'axe.min.js'),
  'utf8',
);

/** A browser context whose pages all have `axe` loaded. */
export async function axeContext(browser: Browser, opts: BrowserContextOptions = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext(opts);
  await ctx.addInitScript({ content: AXE });
  return ctx;
}

/** The serious and critical violations of these rule tags on the page as it is now, one line each. */
export async function seriousViolations(page: Page, what: string, tags: string[]): Promise<string[]> {
  const violations = (await page.evaluate(
    (runOnly) =>
      (
        globalThis as unknown as {
          axe: {
            run(
              d: Document,
              o: object,
            ): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }>;
          };
        }
      ).axe
        .run(document, { resultTypes: ['violations'], runOnly })
        .then((r) =>
          r.violations.map((v) => ({ id: v.id, impact: v.impact, n: v.nodes.length, t: v.nodes[0]?.target.join(' ') })),
        ),
    tags,
  )) as Array<{ id: string; impact: string; n: number; t: string }>;
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${what}: ${v.id} (${v.impact}) ×${v.n} at ${v.t}`);
}

/** Runs `fn` over `items`, at most `n` at a time (pages load and axe runs while others wait on the network). */
export async function inPool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}
