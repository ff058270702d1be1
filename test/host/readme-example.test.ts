// client/README.md opens with the createHost example; this runs that exact code block (with the home, the
// SOURCE_URL and ROOT filled in) as a module against a freshly signed demo registry, so the README can't rot.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO, runCli, type ServedDemo, serveDemo, tempDir } from '../helpers/demo.js';

let demo: ServedDemo;
const dir = tempDir('readme');
beforeAll(async () => {
  demo = await serveDemo(['count-vowels']);
});
afterAll(async () => {
  await demo?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('the client README opens with a createHost example that runs as written', async () => {
  const readme = readFileSync(join(REPO, 'client', 'README.md'), 'utf8');
  const first = /^```ts\n([\s\S]*?)\n```/m.exec(readme);
  expect(readme.indexOf('```ts')).toBeLessThan(readme.indexOf('\n## ') === -1 ? Infinity : readme.indexOf('\n## '));
  const code = first?.[1] ?? '';
  expect(code.split('\n')).toHaveLength(10);
  const runnable = [
    `const ROOT = ${JSON.stringify(demo.reg.rootSha256)};`,
    `const SOURCE_URL = ${JSON.stringify(demo.server.url)};`,
    code.replace("'./wharf'", JSON.stringify(join(dir, 'home'))),
  ].join('\n');
  const file = join(REPO, 'client', `.readme-example-${process.pid}.mjs`);
  writeFileSync(file, runnable);
  try {
    // Async: the demo server runs in this process, so a sync spawn would starve it.
    const r = await runCli(file, []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('{"count":3}');
    expect(r.stdout).toMatch(/status: 'ok'/);
  } finally {
    rmSync(file, { force: true });
  }
});
