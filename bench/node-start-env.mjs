// What every Node start costs is not what a bench measures: NODE_EXTRA_CA_CERTS makes Node read and parse a CA
// bundle before it runs anything (with the Debian bundle, `node -e 0` took 59 ms here, and 21 ms without it). A
// command and its `node -e 0` floor paid it alike, so it hid the commands' own start-up in every ratio. The benches
// that time Node starts remove it from their environment, which every command they time inherits; nothing they
// run talks TLS (their servers are plain HTTP on 127.0.0.1). bench/run-all.mjs passes what it found on, so that a
// bench it starts can still show the setting's cost.
const VARS = ['NODE_EXTRA_CA_CERTS'];
const HANDED = 'WHARF_BENCH_SCRUBBED';

/** The variables set in this environment (or handed down by run-all), name → value. */
export function nodeStartVars() {
  const handed = process.env[HANDED] ? JSON.parse(process.env[HANDED]) : {};
  for (const k of VARS) if (process.env[k] !== undefined) handed[k] = process.env[k];
  return handed;
}

/** Remove them from process.env (children inherit it); returns what was set. */
export function scrubNodeStartEnv() {
  const found = nodeStartVars();
  for (const k of VARS) delete process.env[k];
  if (Object.keys(found).length) process.env[HANDED] = JSON.stringify(found);
  return found;
}

/** One line for a bench's header, or '' when nothing was set. */
export function scrubbedNote(found = nodeStartVars()) {
  const set = Object.keys(found);
  return set.length ? `timed without ${set.join(', ')} (set in this environment; it slows every Node start alike)` : '';
}
