// What every Node start costs is not what a bench measures: NODE_EXTRA_CA_CERTS makes Node read and parse a CA
// bundle before it runs anything (with the Debian bundle, `node -e 0` took 60 ms here, and 23 ms without it). A
// command and its `node -e 0` floor paid it alike, so it hid the commands' own start-up in every ratio. It is
// removed from this process's environment, which every command a bench times inherits; `scrubbed` keeps what was
// set, for the report. Nothing here talks TLS: the benches' servers are plain HTTP on 127.0.0.1.
export const SCRUBBED_VARS = ['NODE_EXTRA_CA_CERTS'];

export const scrubbed = {};
for (const k of SCRUBBED_VARS) {
  if (process.env[k] === undefined) continue;
  scrubbed[k] = process.env[k];
  delete process.env[k];
}

/** One line for a bench's header, or '' when nothing was set. */
export function scrubbedNote() {
  const set = Object.keys(scrubbed);
  return set.length ? `timed without ${set.join(', ')} (set in this environment; it slows every Node start alike)` : '';
}
