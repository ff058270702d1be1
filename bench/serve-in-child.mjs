// tools' static server in a child process, so that it competes with neither the client under test nor the bench's
// own work (and its GCs) for a thread. Resolves with its URL and a close().
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');

/** @param {string} dir @param {Record<string, string>} [mounts] URL prefix → directory, as startStaticServer takes */
export function serveInChild(dir, mounts = {}) {
  const code = `const { startStaticServer } = await import('@wharf/tools');
    const s = await startStaticServer(${JSON.stringify(dir)}, { mounts: ${JSON.stringify(mounts)} });
    process.stdout.write(s.url + '\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ok, fail) => {
    child.once('error', fail);
    child.stdout.once('data', (d) =>
      ok({ url: String(d).trim(), close: () => new Promise((done) => child.once('exit', done).kill()) }),
    );
  });
}
