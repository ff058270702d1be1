import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { HomePaths } from '../home.js';

// Its own module so that `wharf uninstall` (client.ts) need not load the install pipeline to delete a directory.
export function removeVersionDir(home: HomePaths, relWasm: string): void {
  const parts = relWasm.split('/');
  if (parts.length !== 4 || parts[0] !== 'plugins') return;
  rmSync(join(home.root, parts[0], parts[1] as string, parts[2] as string), { recursive: true, force: true });
}
