import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDemoRegistry } from '../src/demo/demo-registry.js';
import { buildDemoSite } from '../src/demo/demo-site.js';
import { tempDir } from './fixtures.js';

// `npm start` again with nothing changed rebuilds nothing: the demo registry keeps its registry.json (and only
// re-signs the TUF metadata, which expires), and the site build is skipped while what it reads is unchanged.
const examples = resolve(import.meta.dirname, '..', '..', 'examples');

describe('npm start restarts', async () => {
  const tmp = await tempDir('wharf-restart-');
  afterAll(() => tmp.cleanup());
  const ex = join(tmp.path, 'examples');
  cpSync(examples, ex, { recursive: true, filter: (s) => !s.includes('node_modules') });
  const registry = join(tmp.path, 'registry');
  const build = (base = 'http://127.0.0.1:9/artifacts') =>
    buildDemoRegistry({
      dir: registry,
      examplesDir: ex,
      artifactBaseUrl: base,
      only: ['count-vowels'],
      reuseKeys: true,
    });
  const registryJson = () => readFileSync(join(registry, 'registry.json'));

  it('keep registry.json byte for byte while the examples and the artifact URL are the same, and re-sign', async () => {
    const first = await build();
    const before = registryJson();
    const again = await build();
    expect(registryJson()).toEqual(before);
    expect(again.rootSha256).toBe(first.rootSha256);
    expect(again.publish.targetsVersion).toBe(first.publish.targetsVersion + 1);
  });

  it('rebuild registry.json when an example changes or the artifacts move', async () => {
    const before = registryJson();
    await build('http://127.0.0.1:10/artifacts');
    expect(registryJson()).not.toEqual(before);
    expect(registryJson().toString()).toContain('http://127.0.0.1:10/artifacts/count-vowels/plugin.wasm');
    const moved = registryJson();
    const manifest = join(ex, 'count-vowels', 'plugin.json');
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    writeFileSync(manifest, JSON.stringify({ ...m, description: `${m.description} Changed.` }, null, 2));
    await build('http://127.0.0.1:10/artifacts');
    expect(registryJson()).not.toEqual(moved);
    expect(JSON.parse(registryJson().toString()).plugins[0].description).toMatch(/Changed\.$/);
  });

  it('skip the site build while registry.json and the site are unchanged, and build again when they change', async () => {
    const out = join(tmp.path, 'site');
    const first = await buildDemoSite(join(registry, 'registry.json'), out);
    expect(first).toMatchObject({ ok: true, reused: false });
    const page = readFileSync(join(out, 'plugins', 'count-vowels', 'index.html'), 'utf8');
    expect(await buildDemoSite(join(registry, 'registry.json'), out)).toMatchObject({ ok: true, reused: true });
    expect(readFileSync(join(out, 'plugins', 'count-vowels', 'index.html'), 'utf8')).toBe(page);
    // A changed registry (a new description) is built again, and the page shows it.
    const r = JSON.parse(registryJson().toString());
    r.plugins[0].short_description = 'Counts vowels, rebuilt.';
    writeFileSync(join(registry, 'registry.json'), JSON.stringify(r, null, 2));
    expect(await buildDemoSite(join(registry, 'registry.json'), out)).toMatchObject({ ok: true, reused: false });
    expect(readFileSync(join(out, 'plugins', 'count-vowels', 'index.html'), 'utf8')).toContain(
      'Counts vowels, rebuilt.',
    );
  }, 300_000);
});
