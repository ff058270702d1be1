import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';

/** What an output was made from: literal values, and files or whole directory trees (names and contents). */
export type StampInput = { value: string } | { file: string } | { tree: string; skip?: (name: string) => boolean };

/**
 * One sha256 over every input, in order. A missing file or tree counts as missing (so creating it changes the
 * stamp). Directory entries are sorted, so the stamp does not depend on the order the file system lists them in.
 */
export function inputStamp(inputs: StampInput[]): string {
  const h = createHash('sha256');
  const field = (s: string | Buffer) => {
    h.update(`${s.length}:`);
    h.update(s);
  };
  for (const i of inputs) {
    if ('value' in i) {
      field('value');
      field(i.value);
    } else if ('file' in i) {
      field('file');
      field(existsSync(i.file) ? readFileSync(i.file) : '\0missing');
    } else {
      field('tree');
      const walk = (dir: string): void => {
        for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
          if (i.skip?.(e.name)) continue;
          const p = join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.isFile()) {
            field(relative(i.tree, p));
            field(readFileSync(p));
          }
        }
      };
      if (existsSync(i.tree)) walk(i.tree);
      else field('\0missing');
    }
  }
  return h.digest('hex');
}

/** The stamp recorded when `output` was last made, if any. */
export function readStamp(stampFile: string): string | undefined {
  return existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : undefined;
}

/** Record the stamp only after the output is complete: an interrupted build leaves the old (or no) stamp. */
export function writeStamp(stampFile: string, stamp: string): void {
  writeFileAtomic(stampFile, `${stamp}\n`);
}
