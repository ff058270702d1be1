import type { Command, OutputConfiguration } from 'commander';
import { mayBeTerminal } from './std-write.js';

/** The command's name with its parents': `wharf source add`. */
export const fullName = (c: Command): string => (c.parent ? `${fullName(c.parent)} ${c.name()}` : c.name());

const root = (c: Command): Command => (c.parent ? root(c.parent) : c);

/** `--json --help`: the command's help as one document (what commander's help text shows, as data). */
export function helpDocument(c: Command): string {
  const h = c.createHelp();
  const doc = {
    command: fullName(c),
    usage: `${fullName(c)} ${c.usage()}`,
    description: c.description(),
    arguments: c.registeredArguments.map((a) => ({ name: a.name(), required: a.required, description: a.description })),
    options: h.visibleOptions(c).map((o) => ({ flags: o.flags, description: o.description })),
    global_options: c.parent
      ? h.visibleOptions(root(c)).map((o) => ({ flags: o.flags, description: o.description }))
      : undefined,
    commands: h
      .visibleCommands(c)
      .map((s) => ({ name: s.name(), usage: h.subcommandTerm(s), description: s.description() })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Under `--json`, every command of the tree prints its help as {@link helpDocument}. */
export function jsonHelp(c: Command): void {
  c.helpInformation = () => helpDocument(c);
  for (const s of c.commands) jsonHelp(s);
}

/**
 * commander's help width and colours without creating process.stdout or process.stderr to ask isTTY (Node's stream
 * machinery, ~2 ms of a ~20 ms `--help`): only a character device other than /dev/null can be a terminal, and there
 * commander's own answers stand. Elsewhere FORCE_COLOR, NO_COLOR and CLICOLOR_FORCE decide, as commander reads them.
 */
export function terminalOutput(c: Command): OutputConfiguration {
  const { getOutHelpWidth, getErrHelpWidth, getOutHasColors, getErrHasColors } = c.configureOutput();
  const envColor = () =>
    process.env.NO_COLOR || ['0', 'false'].includes(process.env.FORCE_COLOR ?? '')
      ? false
      : Boolean(process.env.FORCE_COLOR) || process.env.CLICOLOR_FORCE !== undefined;
  return {
    getOutHelpWidth: () => (mayBeTerminal(1) ? getOutHelpWidth?.() : undefined) as number,
    getErrHelpWidth: () => (mayBeTerminal(2) ? getErrHelpWidth?.() : undefined) as number,
    getOutHasColors: () => (mayBeTerminal(1) ? (getOutHasColors?.() ?? false) : envColor()),
    getErrHasColors: () => (mayBeTerminal(2) ? (getErrHasColors?.() ?? false) : envColor()),
  };
}
