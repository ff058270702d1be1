import { createInterface } from 'node:readline/promises';
import type { InstallOptions } from '../install/install.js';
import type { CliContext } from './context.js';
import { interrupt } from './interrupt.js';
import { isTerminal } from './std-write.js';

/**
 * Consent to permission widening: `--yes` gives it up front; on a terminal we ask; otherwise (CI, pipes,
 * --json) there is nobody to ask, so the install layer refuses with E_CAPABILITY_ESCALATION.
 */
export function consent(ctx: CliContext): Pick<InstallOptions, 'yes' | 'confirm'> {
  if (ctx.g().yes) return { yes: true };
  if (ctx.g().json || !isTerminal(0) || !isTerminal(2)) return {};
  return {
    async confirm(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const ctrl = new AbortController();
      // Ctrl-C at the prompt: no consent, and the install reports it was interrupted (it has changed nothing yet).
      rl.on('SIGINT', () => {
        interrupt();
        ctrl.abort();
      });
      try {
        const a = await rl.question(`${question}\nAllow? [y/N] `, { signal: ctrl.signal });
        return /^y(es)?$/i.test(a.trim());
      } catch (e) {
        if (ctrl.signal.aborted) return false;
        throw e;
      } finally {
        rl.close();
      }
    },
  };
}
