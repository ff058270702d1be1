// Whole-process time of the read-only CLI commands against `node -e 0`, in the same run (target ≤ 1.5×; a trivial
// `wharf run` ≤ 2×): what a user waits for before a trivial command does anything. The home has the demo source refreshed and count-vowels
// installed, made from the example plugins; the registry server is stopped before timing, so every command here
// works from the verified cache. Timed with hyperfine (Debian's `hyperfine`); without it, a small interleaved
// harness of ours, and the bench says so.
// Run: npm run build && npm run bench:cli   (env RUNS, ROUNDS, WARMUP; WHARF_BIN / WHARF_ADMIN_BIN time other builds,
// WHARF_BASELINE_BIN / WHARF_ADMIN_BASELINE_BIN add another build's rows beside them)

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scrubbedNote, scrubNodeStartEnv } from '../node-start-env.mjs';
import { report } from '../report.mjs';
import { hasHyperfine, timeCommands } from '../whole-process.mjs';

const scrubbed = scrubNodeStartEnv();
process.emitWarning = () => {}; // @extism/extism's WASI ExperimentalWarning is noise here
const { WharfClient } = await import('@wharf/client');
const { serveDemoRegistry } = await import('@wharf/tools');

const RUNS = Number(process.env.RUNS ?? 30);
const WARMUP = Number(process.env.WARMUP ?? 3);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const BUDGET = 1.5;
const repo = resolve(import.meta.dirname, '..', '..');
// The packages' "bin" entries: what `wharf` and `npx wharf` run.
const binOf = (pkg, name) =>
  join(repo, pkg, JSON.parse(readFileSync(join(repo, pkg, 'package.json'), 'utf8')).bin[name]);
const wharf = resolve(process.env.WHARF_BIN ?? binOf('client', 'wharf'));
const admin = resolve(process.env.WHARF_ADMIN_BIN ?? binOf('tools', 'wharf-admin'));
const root = mkdtempSync(join(tmpdir(), 'wharf-bench-cli-'));

try {
  const demo = await serveDemoRegistry({ examplesDir: join(repo, 'examples'), root: join(root, 'demo') });
  const home = join(root, 'home');
  const c = new WharfClient({ home });
  await c.addSource({ alias: 'local', url: demo.server.url, rootSha256: demo.reg.rootSha256 });
  await c.refresh();
  await c.install('count-vowels');
  await demo.server.close();

  const node = process.execPath;
  const w = (...a) => [node, wharf, '--home', home, ...a];
  const cmds = [
    { name: 'node -e 0', argv: [node, '-e', '0'] },
    { name: 'wharf --version', argv: [node, wharf, '--version'] },
    { name: 'wharf --help', argv: [node, wharf, '--help'] },
    { name: 'wharf --offline search vowels', argv: w('--offline', 'search', 'vowels') },
    { name: 'wharf --json --offline search vowels', argv: w('--json', '--offline', 'search', 'vowels') },
    { name: 'wharf list', argv: w('list') },
    { name: 'wharf --offline info count-vowels', argv: w('--offline', 'info', 'count-vowels') },
    { name: 'wharf source list', argv: w('source', 'list') },
    { name: 'wharf outdated --offline', argv: w('outdated', '--offline') },
    { name: 'wharf-admin --help', argv: [node, admin, '--help'] },
    // DESIGN §9: a trivial `wharf run` at most 2× (it starts an Extism worker thread: a second Node environment).
    { name: 'wharf run count-vowels', argv: w('run', 'count-vowels', 'count_vowels', '--input', 'Hello'), budget: 2 },
    // What any run pays before a plugin does anything: Node starting one worker thread (Extism runs every plugin in
    // one, so that a deadline can terminate it). undici, which Extism's manifest check (`x instanceof Response`)
    // used to pull in, is no longer loaded (client/src/run/no-undici.ts). Not a wharf command: a second floor.
    {
      name: 'node + one worker thread',
      argv: [node, '-e', "new (require('node:worker_threads').Worker)('', { eval: true })"],
      floorOnly: true,
    },
    // What this environment's own setting costs a start (through env(1)): shown, not the floor.
    ...Object.entries(scrubbed).map(([k, v]) => ({
      name: `node -e 0 with ${k} set`,
      argv: ['env', `${k}=${v}`, node, '-e', '0'],
      floorOnly: true,
    })),
  ];
  // WHARF_BASELINE_BIN=<another checkout>/client/bin/wharf.js: the same commands with that build, in the same rounds.
  const baseline = process.env.WHARF_BASELINE_BIN && resolve(process.env.WHARF_BASELINE_BIN);
  if (baseline)
    for (const c of cmds.filter((x) => x.argv[1] === wharf))
      cmds.push({ ...c, name: `baseline ${c.name}`, argv: c.argv.map((a) => (a === wharf ? baseline : a)) });
  const adminBaseline = process.env.WHARF_ADMIN_BASELINE_BIN && resolve(process.env.WHARF_ADMIN_BASELINE_BIN);
  if (adminBaseline) cmds.push({ name: 'baseline wharf-admin --help', argv: [node, adminBaseline, '--help'] });
  // Each command must work before it is timed: a fast failure is no figure.
  for (const cmd of cmds) {
    const p = spawnSync(cmd.argv[0], cmd.argv.slice(1), { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`${cmd.name} exited ${p.status}: ${p.stderr}`);
  }
  const tool = hasHyperfine();
  if (scrubbedNote(scrubbed)) console.log(scrubbedNote(scrubbed));
  if (!tool)
    console.log(
      'hyperfine is MISSING (Debian: apt-get install hyperfine): timing with the built-in interleaved harness instead',
    );
  const res = timeCommands(cmds, { runs: RUNS, rounds: ROUNDS, warmup: WARMUP }).results;
  const [floor] = res;
  console.log(
    `${tool ? `hyperfine in ${ROUNDS} rounds` : 'built-in harness'}, median of ${RUNS} runs, ${WARMUP} warm-up`,
  );
  console.log(
    `command                                 median ms   ratio to node -e 0 (target ≤ ${BUDGET}×)${tool ? '   user+sys CPU ms, ratio' : ''}`,
  );
  for (const r of res) {
    const ratio = r.ms / floor.ms;
    const verdict = r === floor || r.floorOnly ? '   ' : ratio <= (r.budget ?? BUDGET) ? ' ok' : ' OVER';
    const cpu = tool ? `${r.cpuMs.toFixed(1).padStart(13)}   ${(r.cpuMs / floor.cpuMs).toFixed(2)}×` : '';
    console.log(`${r.name.padEnd(40)}${r.ms.toFixed(1).padStart(9)}   ${ratio.toFixed(2)}×${verdict.padEnd(5)}${cpu}`);
  }
  const label = `node -e 0${tool ? '' : ' (no hyperfine: own harness)'}`;
  const workerFloor = res.find((r) => r.name === 'node + one worker thread');
  const runRow = res.find((r) => r.name === 'wharf run count-vowels');
  report('cli', [
    ...res
      .slice(1)
      .filter((r) => !r.floorOnly)
      .map((r) => ({
        what: r.name,
        ms: r.ms,
        floor: label,
        floorMs: floor.ms,
        budget: `≤ ${r.budget ?? BUDGET}×`,
        ok: r.ms / floor.ms <= (r.budget ?? BUDGET),
      })),
    ...(workerFloor && runRow
      ? [{ what: runRow.name, ms: runRow.ms, floor: workerFloor.name, floorMs: workerFloor.ms }]
      : []),
    ...res
      .filter((r) => r.floorOnly && r !== workerFloor)
      .map((r) => ({ what: r.name, ms: r.ms, floor: label, floorMs: floor.ms })),
    // CPU time moves less than wall time when other work shares the machine.
    ...(tool
      ? res
          .slice(1)
          .filter((r) => !r.floorOnly)
          .map((r) => ({ what: `${r.name} (user+sys CPU)`, ms: r.cpuMs, floor: 'node -e 0 CPU', floorMs: floor.cpuMs }))
      : []),
  ]);
} finally {
  rmSync(root, { recursive: true, force: true });
}
