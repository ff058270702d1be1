// An abort every request of this process listens to beside its own signal: the CLI's Ctrl-C (cli/interrupt.ts),
// which must stop a download at once, whichever layer (refresh, failover, install) started it. No imports: the CLI
// reaches this at start-up, before any of the network code is loaded.
let current: AbortSignal | undefined;

/** Every request opened from now on also stops when `signal` aborts (each reads it as it starts). */
export function setProcessAbort(signal: AbortSignal | undefined): void {
  current = signal;
}

export function processAbort(): AbortSignal | undefined {
  return current;
}
