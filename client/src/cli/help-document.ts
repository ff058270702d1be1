import type { Command } from 'commander';

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
