import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WharfClient } from '@wharf/client';
import { startStaticServer } from '../serve/static-server.js';
import { buildDemoRegistry } from './demo-registry.js';

// `npm start`: the embedded default marketplace. Everything is local and offline: the example plugins, a
// registry signed just now with throwaway keys, served on 127.0.0.1, and a client home already pointing at it.
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const demo = join(repo, '.wharf-demo');
const examplesDir = join(repo, 'examples');

async function listen() {
  const port = Number(process.env.WHARF_PORT ?? 8787);
  const serve = (p: number) =>
    startStaticServer(join(demo, 'registry'), { port: p, mounts: { '/artifacts/': examplesDir } });
  try {
    return await serve(port);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    return serve(0);
  }
}

// Serve first: artifact URLs carry the port, and files are read per request, so later writes are picked up.
const server = await listen();
const reg = await buildDemoRegistry({
  dir: join(demo, 'registry'),
  examplesDir,
  artifactBaseUrl: `${server.url}/artifacts`,
  reuseKeys: true,
});
const home = join(demo, 'home');
const client = new WharfClient({ home });
// The demo home follows the server: the root is kept across starts, but the port may change.
const local = client.sources().sources.find((s) => s.alias === 'local');
if (local && (local.root_sha256 !== reg.rootSha256 || !local.mirrors.includes(server.url)))
  client.removeSource('local');
if (!client.sources().sources.some((s) => s.alias === 'local')) {
  await client.addSource({ alias: 'local', url: server.url, rootSha256: reg.rootSha256 });
}
await client.refresh();

// The catalog site, when built (`npm run build -w site`), on its own port: it needs directory indexes and JS types.
const siteDist = join(repo, 'site', 'dist');
if ((await import('node:fs')).existsSync(siteDist)) {
  const { serveSite } = await import(new URL('../../../site/scripts/serve-site.mjs', import.meta.url).href);
  const site = await serveSite(siteDist, { port: Number(process.env.WHARF_SITE_PORT ?? 0) });
  console.log(`Catalog site (built from registry/registry.json) on ${site.url}`);
}

const q = (s: string) => (/[\s"'$]/.test(s) ? `"${s}"` : s);
console.log(`
Wharf demo marketplace on ${server.url}
  ${reg.plugins.length} example plugins (${reg.plugins.map((p) => p.id).join(', ')}), registry signed just now
  registry:     ${reg.registryDir}
  private keys: ${reg.keysDir}
  root sha256:  ${reg.rootSha256}

Try it in another terminal, from ${repo}:
  export WHARF_HOME=${q(home)}
  npx wharf source list
  npx wharf search vowels
  npx wharf info count-vowels
  npx wharf install count-vowels
  npx wharf run count-vowels count_vowels --input "Hello World"
  npx wharf install greet && npx wharf run greet greet --input Wharf --config greeting=Hi

Or start from an empty home, as a new user would:
  npx wharf --home /tmp/wharf-try source add local ${server.url} --root-sha256 ${reg.rootSha256}

Press Ctrl-C to stop.`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
