// In GitHub Actions every line a step prints is also read as a possible workflow command: `::name args::data` when
// the line starts with `::` after leading whitespace (the runner's ActionCommand.TryParseV2 trims first), and the
// legacy `##[name args]data` anywhere in the line (TryParse). Submission text reaches wharf-admin's output (review
// messages, errors), so an issue could otherwise print `::add-mask::`, `::error::` or `::stop-commands::` into the
// bot's log. Every byte the CLI writes goes through this guard.
//
// The escapes are JSON's own: `\u003a` for the colon that would open a command and `\u0023` for the second `#` of
// `##[`. Inside JSON output they decode to the same text (`##[` can only occur inside a string there, and a JSON
// line never starts with `:`), so `--json` stays byte-for-byte equivalent to parse; in human output they show as
// visible escapes. @actions/core has no escaper for free text (its escapeData is for a command's own data), and
// `::stop-commands::` would still leave the injected lines in the log starting with `::`.

/** Line breaks as the runner's line reader splits them (.NET ReadLine: \r\n, \r, \n). */
const BREAK = /(\r\n|\r|\n)/;
/** What .NET's TrimStart removes: JS \s plus U+0085, which .NET counts as white space and JS does not. */
const LEADING = /^[\s\u0085]*/;

function guardLine(line: string): string {
  const out = line.replaceAll('##[', '#\\u0023[');
  const lead = LEADING.exec(out)?.[0].length ?? 0;
  return out.startsWith('::', lead) ? `${out.slice(0, lead)}\\u003a${out.slice(lead + 1)}` : out;
}

/** Neutralizes every line of `text` that the Actions runner would read as a workflow command. */
export function guardWorkflowCommands(text: string): string {
  // Both forms hold one of these two strings; most output (all of --help) holds neither, and skips the line walk.
  if (!text.includes('::') && !text.includes('##[')) return text;
  return text
    .split(BREAK)
    .map((part, i) => (i % 2 === 1 ? part : guardLine(part)))
    .join('');
}

interface Sink {
  write(s: string): unknown;
}

/**
 * Writes whole lines through the guard, holding back a partial line until its end arrives (or `flush`), so a command
 * split across two writes is still seen at the start of its line.
 */
export class GuardedWriter implements Sink {
  private pending = '';
  constructor(private readonly target: Sink) {}

  write(s: string): boolean {
    const text = this.pending + s;
    // A trailing \r may be the first half of \r\n: keep it with the partial line.
    const whole = text.endsWith('\r') ? text.slice(0, -1) : text;
    const cut = Math.max(whole.lastIndexOf('\n'), whole.lastIndexOf('\r')) + 1;
    this.pending = text.slice(cut);
    if (cut > 0) this.target.write(guardWorkflowCommands(text.slice(0, cut)));
    return true;
  }

  flush(): void {
    if (this.pending) this.target.write(guardWorkflowCommands(this.pending));
    this.pending = '';
  }
}
