// runCli is what most CLI tests stand on: a command that exits without reading its stdin must give its
// result, not an unhandled EPIPE that vitest reports as a failed run (CI stop 17).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './demo.js';

describe('runCli', () => {
  it('returns the exit code of a command that exits before reading its input', async () => {
    const bin = join(tempDir('run-cli'), 'exit-at-once.mjs');
    writeFileSync(bin, 'process.stdout.write("done"); process.exit(3);\n');
    // Far more than a pipe buffer holds, so the write cannot finish before the child is gone.
    const r = await runCli(bin, [], { input: 'x'.repeat(4 << 20) });
    expect(r).toEqual({ code: 3, stdout: 'done', stderr: '' });
  });
});
