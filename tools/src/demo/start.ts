import '@wharf/client/quiet-wasi-warning';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../serve/static-server.js';
import { claimDemoDir } from './demo-lock.js';
import { buildDemoRegistry } from './demo-registry.js';
import { buildDemoSite } from './demo-site.js';

// `npm start`: the embedded default marketplace. Everything is local and offline: the example plugins, a
// registry signed just now with throwaway keys, served on 127.0.0.1, and a client home already pointing at it.
// Node loads node:wasi (and warns) while linking whatever imports it statically, so the client comes after the filter.
const { WharfClient } = await import('@wharf/client');
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const demo = resolve(process.env.WHARF_DEMO_DIR ?? join(repo, '.wharf-demo'));
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

mkdirSync(join(demo, 'registry'), { recursive: true });
const claim = claimDemoDir(demo);
if ('running' in claim) {
  const { pid, url } = claim.running;
  console.error(
    `error E_HOME_LOCKED: npm start is already running in ${demo} (pid ${pid}${url ? `, serving ${url}` : ''}); use that one, or stop it first (Ctrl-C in its terminal). To run a second demo beside it, give it its own state: WHARF_DEMO_DIR=/tmp/wharf-demo-2 npm start`,
  );
  process.exit(1);
}
// Serve first: artifact URLs carry the port, and files are read per request, so later writes are picked up.
const server = await listen();
claim.note(server.url);
const reg = await buildDemoRegistry({
  dir: join(demo, 'registry'),
  examplesDir,
  artifactBaseUrl: `${server.url}/artifacts`,
  reuseKeys: true,
});
// The catalog, built from this very registry so that every install command on it works against this server; its
// build (seconds) runs while the home is set up, and is skipped when nothing it reads changed since the last start.
// WHARF_SITE=off: the marketplace alone, without the catalog site's build (tens of seconds on a first start).
const siteBuild =
  process.env.WHARF_SITE === 'off'
    ? Promise.resolve({ ok: false as const, reason: 'WHARF_SITE=off' })
    : buildDemoSite(join(reg.registryDir, 'registry.json'), join(demo, 'site'));
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

const site = await siteBuild;
const siteServer = site.ok
  ? await startStaticServer(site.dir, { port: Number(process.env.WHARF_SITE_PORT ?? 0) })
  : undefined;

const q = (s: string) => (/[\s"'$]/.test(s) ? `"${s}"` : s);
console.log(`
Wharf demo marketplace on ${server.url}
  catalog site: ${siteServer ? `${siteServer.url}/${site.ok && site.reused ? '  (unchanged since the last start)' : ''}` : `not built (${site.ok ? '' : site.reason})`}
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
  await siteServer?.close();
  claim.release();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
