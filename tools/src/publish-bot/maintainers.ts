import { readFileSync } from 'node:fs';
import { WharfError } from '@wharf/schemas';

/**
 * registry/MAINTAINERS: one maintainer per line, `<numeric GitHub user id> <login>  # note`. Only the numeric id
 * counts: logins can be renamed and re-registered by someone else, ids cannot.
 */
export function parseMaintainers(text: string): Set<number> {
  const ids = new Set<number>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const m = /^(\d{1,12})(?:\s+\S+)?$/.exec(line);
    if (!m) throw new WharfError('E_SCHEMA', `MAINTAINERS: "${line.slice(0, 60)}" is not "<numeric id> <login>".`);
    ids.add(Number(m[1]));
  }
  return ids;
}

export function readMaintainers(path: string): Set<number> {
  return parseMaintainers(readFileSync(path, 'utf8'));
}
