import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A fresh dir under the OS temp dir, removed after the test file that made it (test/helpers/temp-cleanup.ts). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `wharf-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Remove every dir tempDir made in this test file; a file's own afterAll hooks (servers closed) run first. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
