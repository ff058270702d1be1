import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

// What only some commands need is imported when they run (client.ts, source-kind.ts): the static import graph of
// the client, which every command loads, must not reach signing, tuf-js, the install pipeline, MiniSearch or
// Extism (semver comes with @wharf/schemas). esbuild's metafile tells a static import from a dynamic one, which is the distinction that matters here.
const CLIENT = resolve(import.meta.dirname, '..');

async function staticClosure(entry: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [join(CLIENT, entry)],
    bundle: true,
    write: false,
    metafile: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    outdir: join(CLIENT, 'unused-out'),
    logLevel: 'silent',
  });
  const inputs = (metafile as Metafile).inputs;
  const start = Object.keys(inputs).find((k) => k.endsWith(entry)) as string;
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    for (const imp of inputs[queue.shift() as string]?.imports ?? []) {
      if (imp.kind === 'dynamic-import' || imp.external || seen.has(imp.path)) continue;
      seen.add(imp.path);
      queue.push(imp.path);
    }
  }
  return [...seen];
}

describe('the client loads only what every command needs', () => {
  it('client.ts reaches no signing, tuf-js, install pipeline, MiniSearch or Extism statically', async () => {
    const files = await staticClosure('src/client.ts');
    expect(files.some((f) => f.endsWith('src/sources/source-set.ts'))).toBe(true); // the walk did walk
    const heavy = files.filter((f) =>
      /\/src\/signing\/|\/install\/(install|verify-installed|plan-install)\.ts$|\/search\/search\.ts$|\/legacy\/wxauto-(install|search)\.ts$|node_modules\/(tuf-js|@tufjs|minisearch|@extism)\//.test(
        f,
      ),
    );
    expect(heavy).toEqual([]);
  }, 60_000);
});
