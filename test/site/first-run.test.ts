// The plugin page's commands (site/src/lib/first-run.ts): what a visitor pastes must reach the CLI as written.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toolName } from '../../client/src/mcp/tools.js';
import { mcpToolName, shellQuote } from '../../site/src/lib/first-run.js';
import { cutAtWord } from '../../site/src/lib/text.js';

describe('first-run commands', () => {
  it('shellQuote survives a real POSIX shell for any text', () => {
    const samples = ["EUR it's $HOME", 'a\nb', '`rm -rf /`', '"; echo x', '', '  spaced  ', '春节快乐', "''"];
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        if (s.includes('\0')) return;
        samples.push(s);
      }),
      { numRuns: 50 },
    );
    for (const s of samples) {
      expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(s)}`], { encoding: 'utf8' })).toBe(s);
    }
  });

  it("names the MCP tool as wharf mcp does (client's toolName)", () => {
    for (const [id, exp] of [
      ['count-vowels', 'count_vowels'],
      ['http-fetcher', 'fetch.rate'],
      ['a', 'b-c'],
    ] as const)
      expect(mcpToolName(id, exp)).toBe(toolName(id, exp));
  });

  it('cutAtWord never splits a word or a surrogate pair', () => {
    expect(cutAtWord('An AssemblyScript example that counts words', 20)).toBe('An AssemblyScript…');
    expect(cutAtWord('An AssemblyScriptExtremelyLongWord here', 20)).toBe('An…');
    expect(cutAtWord('Counts the vowels in the input text', 20)).toBe('Counts the vowels…');
    expect(cutAtWord('统计中文或中英混排文本的字数与词数', 8)).toBe('统计中文或中英…');
    expect(Array.from(cutAtWord('😀'.repeat(10), 5))).toEqual([...'😀😀😀😀', '…']);
    expect(cutAtWord('short', 20)).toBe('short');
  });
});
