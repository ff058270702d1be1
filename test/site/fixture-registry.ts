// The registry the browser tests build the site from: the committed registry/registry.json plus fixtures for
// what it lacks — a plugin with a version history, permissions and a review, and hostile metadata (DESIGN §8).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry, RegistryPlugin, Release } from '@wharf/schemas';

export const XSS_ID = 'xss-fixture';
export const RICH_ID = 'http-fetcher';
export const XSS_CTRL_ID = 'xss-control';

/** Text that must come out of the page as text, never as markup. */
export const XSS_DESCRIPTION = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> plain tail';
export const XSS_NAME = '<img src=x onerror="window.__xss=3">Evil';

/** The marketplace repository the fixture's sources.json points at, and what the footer must link. */
export const FIXTURE_REPO = 'https://github.com/acme-fixture/catalog';
export const FIXTURE_ROOT = '{"signed":{"_type":"root","version":1},"signatures":[]}\n';

/** registry/sources.json of the fixture tree: the official mirrors `wharf source add --official` reads. */
export function fixtureSources(): unknown {
  return {
    sources_version: 1,
    current: 'acme',
    sources: [
      {
        alias: 'acme',
        type: 'tuf',
        mirrors: [
          'https://raw.githubusercontent.com/acme-fixture/catalog/main/registry',
          'https://gitee.com/acme-fixture/catalog/raw/main/registry',
        ],
        priority: 10,
      },
    ],
  };
}

/** A README that tries everything a README must not do on our page, around content it must render. */
export const HOSTILE_README = [
  '# HTTP Fetcher',
  '',
  'Fetches **exchange rates**. See [the guide](docs/guide.md) and [home](https://example.org/x).',
  '',
  '![diagram](img/flow.png)',
  '',
  '<script>window.__xss = 10</script>',
  '<img src="x" onerror="window.__xss = 11">',
  '<a href="javascript:window.__xss = 12">click</a>',
  '<iframe src="https://example.org"></iframe>',
  '<div style="position:fixed;inset:0" onclick="window.__xss = 13">styled</div>',
  '<form action="https://example.org"><button>go</button></form>',
  '<svg><script>window.__xss = 14</script></svg>',
  '[data](data:text/html;base64,PHNjcmlwdD4=)',
  '',
  '```ts',
  "const rate: number = await fetchRate('EUR');",
  '```',
  '',
  '- [x] done task',
  '',
  '| Column | Value |',
  '| --- | --- |',
  '| a | b |',
].join('\n');

export function fixtureRegistry(repo: string): Registry {
  const registry = JSON.parse(readFileSync(join(repo, 'registry', 'registry.json'), 'utf8')) as Registry;
  const base = registry.plugins.find((p) => p.plugin_id === 'count-vowels') as RegistryPlugin;
  const release = base.releases[0] as Release;
  const clone = <T>(x: T): T => structuredClone(x);

  const rel = (version: string, extra: Partial<Release>): Release => ({
    ...clone(release),
    version,
    tag: `v${version}`,
    published_at: `2026-10-0${Number(version.split('.')[1]) + 1}T00:00:00.000Z`,
    artifact: { ...clone(release.artifact), sha256: version.replaceAll('.', '').padEnd(64, 'a').slice(0, 64) },
    ...extra,
  });
  const permissions = {
    allowed_hosts: ['api.example.com'],
    timeout_ms: 5000,
    justifications: {
      allowed_hosts: 'Fetches exchange rates from the example API.',
      timeout_ms: 'Remote calls can take a few seconds.',
    },
  };
  const rich: RegistryPlugin = {
    ...clone(base),
    plugin_id: RICH_ID,
    name: 'HTTP Fetcher',
    name_zh: '网络抓取',
    short_description: 'Fetches exchange rates over HTTP.',
    description: 'Fetches exchange rates over HTTP from one declared host.',
    description_zh: '通过 HTTP 从声明的主机获取汇率。',
    category: 'integration',
    tags: ['http', 'finance'],
    featured: false,
    verified: true,
    stats: { downloads: 5, stars: 1 },
    versions: { latest: '1.2.0', stable: '1.2.0', minimum_supported: '1.0.0' },
    releases: [
      rel('1.0.0', { permissions, yanked: true, yanked_reason: 'leaked a token in logs' }),
      rel('1.1.0', { permissions, deprecated: 'use 1.2.0' }),
      rel('1.2.0', {
        permissions,
        readme: HOSTILE_README,
        exports: [
          {
            name: 'fetch_rate',
            description: 'Fetch one exchange rate.',
            description_zh: '获取一个汇率。',
            input_schema: { type: 'string' },
            sample_input: "EUR it's $HOME",
          },
        ],
        review: {
          issue: 42,
          security_score: 92,
          quality_score: 81,
          reviewed_at: '2026-10-03T00:00:00.000Z',
          tool_version: '0.1.0',
          checks: [
            { id: 'schema', status: 'pass', message: 'plugin.json matches the manifest schema' },
            { id: 'permissions', status: 'warn', message: 'declares network access' },
          ],
        },
      }),
    ],
  };
  const xss: RegistryPlugin = {
    ...clone(base),
    plugin_id: XSS_ID,
    name: XSS_NAME,
    name_zh: undefined,
    short_description: XSS_DESCRIPTION,
    description: XSS_DESCRIPTION,
    description_zh: undefined,
    tags: ['security', '<b>tag</b>'],
    featured: true, // so it also lands on the home page
    stats: { downloads: 99999, stars: 0 },
    homepage: 'JaVaScRiPt:alert(1)',
    repository: {
      primary: { url: 'javascript:alert(2)', releases_url: 'JAVASCRIPT://%0aalert(3)' },
      // A tab inside the scheme: WHATWG URL parsing would strip it and see "javascript:".
      mirror: { url: 'java\tscript:alert(4)' },
    },
  };
  const xssControl: RegistryPlugin = {
    ...clone(xss),
    plugin_id: XSS_CTRL_ID,
    name: 'Control char homepage',
    featured: false,
    stats: { downloads: 0, stars: 0 },
    homepage: '\u0001javascript:alert(5)',
    repository: { primary: { url: 'https://github.com/example/xss-control' } },
  };
  // JSON round trip drops the undefined fields the schema would refuse.
  return JSON.parse(JSON.stringify({ ...registry, plugins: [...registry.plugins, rich, xss, xssControl] }));
}
