import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputStamp, readStamp, writeStamp } from './input-stamp.js';

const siteDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'site');

/** What the site build reads: the registry, the site's sources and config, the schemas build, astro's version. */
export function siteInputs(registryJson: string, astro: string): string {
  const skip = (name: string) => name === 'node_modules' || name === 'dist' || name === '.astro';
  return inputStamp([
    { value: JSON.stringify({ url: process.env.WHARF_SITE_URL ?? '', base: process.env.WHARF_SITE_BASE ?? '' }) },
    { file: registryJson },
    { tree: siteDir, skip: (n) => skip(n) || n === 'screenshots' },
    { tree: join(siteDir, '..', 'schemas', 'dist'), skip },
    { value: (JSON.parse(readFileSync(join(dirname(astro), 'package.json'), 'utf8')) as { version: string }).version },
  ]);
}

/**
 * Build the Astro catalog from `registryJson` into `outDir` by running the site workspace's own build (tools
 * must not import the site). A failed or missing site leaves the marketplace running without its catalog. When
 * nothing the build reads changed since it last made `outDir`, the build is skipped (`reused`).
 */
export function buildDemoSite(
  registryJson: string,
  outDir: string,
): Promise<{ ok: true; dir: string; reused: boolean } | { ok: false; reason: string }> {
  if (!existsSync(join(siteDir, 'package.json'))) return Promise.resolve({ ok: false, reason: 'no site/ workspace' });
  return new Promise((done) => {
    // npm hoists astro to the root node_modules, or keeps it in the workspace's own.
    const astro = [join(siteDir, 'node_modules'), join(siteDir, '..', 'node_modules')]
      .map((d) => join(d, 'astro', 'astro.js'))
      .find((p) => existsSync(p));
    if (!astro) return done({ ok: false, reason: 'astro is not installed (npm ci)' });
    const stampFile = `${outDir}.inputs.sha256`;
    const stamp = siteInputs(registryJson, astro);
    if (readStamp(stampFile) === stamp && existsSync(join(outDir, 'index.html')))
      return done({ ok: true, dir: outDir, reused: true });
    rmSync(stampFile, { force: true }); // a build that fails half-way must not be taken for the last good one
    // Astro writes its prerender chunks into outDir only when outDir is under its cwd, else into the shared
    // site/.astro, where two builds at once (two demos, parallel tests) delete each other's chunks. So each build
    // goes to its own dir under site/node_modules (the chunks resolve packages from there) and is copied over.
    const buildsDir = join(siteDir, 'node_modules', '.wharf-builds');
    mkdirSync(buildsDir, { recursive: true });
    const work = mkdtempSync(join(buildsDir, 'demo-'));
    const built = join(work, 'out');
    const finish = (r: { ok: true; dir: string; reused: boolean } | { ok: false; reason: string }) => {
      rmSync(work, { recursive: true, force: true });
      done(r);
    };
    const child = spawn(process.execPath, [astro, 'build', '--silent'], {
      cwd: siteDir,
      env: { ...process.env, WHARF_REGISTRY: registryJson, WHARF_SITE_OUT: built },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => finish({ ok: false, reason: e.message }));
    child.on('close', (code) => {
      if (code !== 0) return finish({ ok: false, reason: err.trim().split('\n').at(-1) ?? `exit ${code}` });
      rmSync(outDir, { recursive: true, force: true });
      cpSync(built, outDir, { recursive: true });
      writeStamp(stampFile, stamp);
      finish({ ok: true, dir: outDir, reused: false });
    });
  });
}
