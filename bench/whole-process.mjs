// Whole-process timing of commands against each other, for bench/cli and bench/scale: hyperfine (Debian's
// `hyperfine`, no shell in between) in rounds, so that a change of load during the bench lands on every command
// alike; without it, a small interleaved harness of ours (spawnSync wall time). Medians of all runs, and (hyperfine)
// mean user+sys CPU, in ms. Each cmd: { name, argv: [program, ...args], env? }.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const quote = (s) => (/[\s"'\\]/.test(s) ? `'${s.replaceAll("'", "'\\''")}'` : s);

export function hasHyperfine() {
  return spawnSync('hyperfine', ['--version'], { stdio: 'ignore' }).status === 0;
}

function timeWithHyperfine(cmds, { runs, rounds, warmup, env }) {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-bench-hyperfine-'));
  const out = join(dir, 'hyperfine.json');
  try {
    const all = cmds.map(() => ({ times: [], cpu: [] }));
    const per = Math.max(2, Math.round(runs / rounds));
    for (let r = 0; r < rounds; r++) {
      const args = ['-N', '--style', 'none', '--warmup', String(r ? 1 : warmup), '--runs', String(per)];
      args.push('--export-json', out);
      for (const c of cmds) args.push('-n', c.name, [c.argv[0], ...c.argv.slice(1).map(quote)].join(' '));
      execFileSync('hyperfine', args, { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, ...env } });
      JSON.parse(readFileSync(out, 'utf8')).results.forEach((x, i) => {
        all[i].times.push(...x.times);
        all[i].cpu.push(x.user + x.system);
      });
    }
    return cmds.map((c, i) => ({ ...c, ms: median(all[i].times) * 1000, cpuMs: mean(all[i].cpu) * 1000 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Our fallback: interleaved rounds (every command once per round, in turn), spawnSync wall time. */
function timeWithHarness(cmds, { runs, warmup, env }) {
  const times = cmds.map(() => []);
  for (let r = 0; r < warmup + runs; r++)
    cmds.forEach((c, i) => {
      const t = performance.now();
      const p = spawnSync(c.argv[0], c.argv.slice(1), { stdio: 'ignore', env: { ...process.env, ...env } });
      const ms = performance.now() - t;
      if (p.status !== 0) throw new Error(`${c.name} exited ${p.status}`);
      if (r >= warmup) times[i].push(ms);
    });
  return cmds.map((c, i) => ({ ...c, ms: median(times[i]) }));
}

/** Times `cmds` ({ runs, rounds, warmup, env }); `tool` says which timer it was. */
export function timeCommands(cmds, opts) {
  const tool = hasHyperfine();
  return { tool, results: tool ? timeWithHyperfine(cmds, opts) : timeWithHarness(cmds, opts) };
}
