import { isWharfError, WharfError } from '@wharf/schemas';
import { writeErr, writeOut } from './std-write.js';

export { quietOnClosedPipe } from './std-write.js';

/** How a command talks: human lines on a TTY, one JSON document with --json, errors with their E_ code. */
export class Output {
  constructor(readonly json: boolean) {}

  /** Print the command's result: `human` for people, `data` for --json. */
  result(data: unknown, human: () => string | string[]): void {
    if (this.json) {
      writeOut(`${JSON.stringify(data, null, 2)}\n`);
      return;
    }
    const h = human();
    const text = Array.isArray(h) ? h.join('\n') : h;
    if (text) writeOut(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Notes for people only (stale warnings, hints): stderr, and never with --json. */
  note(text: string): void {
    if (!this.json) writeErr(`${text}\n`);
  }

  error(e: unknown): number {
    const w = isWharfError(e) ? e : new WharfError('E_IO', e instanceof Error ? e.message : String(e));
    if (this.json) writeOut(`${JSON.stringify({ error: w.toJSON() }, null, 2)}\n`);
    else writeErr(`error ${w.code}: ${w.message}\n`);
    return w.code === 'E_USAGE' ? 2 : w.code === 'E_INTERRUPTED' ? 130 : 1;
  }
}

/** "1 plugin", "3 plugins". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A one-line progress bar on stderr, only on a TTY and never with --json. */
export function progressBar(
  label: string,
  enabled: boolean,
): ((received: number, total: number) => void) & { done(): void } {
  let last = 0;
  const fn = ((received: number, total: number) => {
    const now = Date.now();
    if (!enabled || (now - last < 80 && received < total)) return;
    last = now;
    const pct = total ? Math.min(1, received / total) : 0;
    const width = 24;
    const bar = '#'.repeat(Math.round(pct * width)).padEnd(width, '.');
    process.stderr.write(`\r${label} [${bar}] ${(received / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB`);
  }) as ((received: number, total: number) => void) & { done(): void };
  fn.done = () => {
    if (enabled && last) process.stderr.write('\n');
  };
  return fn;
}

export function formatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
