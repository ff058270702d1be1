import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const siteDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'site');

/**
 * Build the Astro catalog from `registryJson` into `outDir` by running the site workspace's own build (tools
 * must not import the site). A failed or missing site leaves the marketplace running without its catalog.
 */
export function buildDemoSite(
  registryJson: string,
  outDir: string,
): Promise<{ ok: true; dir: string } | { ok: false; reason: string }> {
  if (!existsSync(join(siteDir, 'package.json'))) return Promise.resolve({ ok: false, reason: 'no site/ workspace' });
  return new Promise((done) => {
    // npm hoists astro to the root node_modules, or keeps it in the workspace's own.
    const astro = [join(siteDir, 'node_modules'), join(siteDir, '..', 'node_modules')]
      .map((d) => join(d, 'astro', 'astro.js'))
      .find((p) => existsSync(p));
    if (!astro) return done({ ok: false, reason: 'astro is not installed (npm ci)' });
    const child = spawn(process.execPath, [astro, 'build', '--silent'], {
      cwd: siteDir,
      env: { ...process.env, WHARF_REGISTRY: registryJson, WHARF_SITE_OUT: outDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => done({ ok: false, reason: e.message }));
    child.on('close', (code) =>
      done(
        code === 0 ? { ok: true, dir: outDir } : { ok: false, reason: err.trim().split('\n').at(-1) ?? `exit ${code}` },
      ),
    );
  });
}
