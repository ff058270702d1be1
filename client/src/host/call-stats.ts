/** How many recent calls the health report looks at (durations for percentiles, outcomes for status). */
const WINDOW = 1000;

export interface CallError {
  export: string;
  code: string;
  message: string;
  at: string;
}

/** Per-plugin call counters, with a ring buffer of recent durations and outcomes. */
export class CallStats {
  calls = 0;
  errors = 0;
  lastError?: CallError;
  lastCallOk?: boolean;
  private durations = new Float64Array(WINDOW);
  private failed = new Uint8Array(WINDOW);
  private n = 0;

  record(ms: number, error?: CallError): void {
    const i = this.n % WINDOW;
    this.durations[i] = ms;
    this.failed[i] = error ? 1 : 0;
    this.n++;
    this.calls++;
    this.lastCallOk = !error;
    if (error) {
      this.errors++;
      this.lastError = error;
    }
  }

  /** Nearest-rank percentile of the recent call durations, in ms (0 with no calls). */
  percentile(p: number): number {
    const k = Math.min(this.n, WINDOW);
    if (k === 0) return 0;
    const sorted = Array.from(this.durations.subarray(0, k)).sort((a, b) => a - b);
    const rank = Math.max(1, Math.ceil((p / 100) * k));
    return Math.round((sorted[rank - 1] as number) * 100) / 100;
  }

  recentErrors(): number {
    const k = Math.min(this.n, WINDOW);
    let e = 0;
    for (let i = 0; i < k; i++) e += this.failed[i] as number;
    return e;
  }
}
