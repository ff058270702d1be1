// readSources parses and checks one text once per process and hands out copies: a caller that changes its copy
// (rememberLastGood, add, remove) must not change what the next reader gets, and a changed file is read anew.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { readSources } from '../src/sources/sources-config.js';

const cfg = (alias: string) => ({
  sources_version: 1,
  sources: [
    { alias, type: 'tuf', mirrors: ['https://example.org/registry'], priority: 10, root_sha256: 'a'.repeat(64) },
  ],
});

describe('readSources', () => {
  it('gives each caller its own copy, and reads a changed file again', () => {
    const file = join(tempDir('sources'), 'sources.json');
    writeFileSync(file, `${JSON.stringify(cfg('main'))}\n`);
    const a = readSources(file);
    (a.sources[0] as { alias: string }).alias = 'changed';
    a.sources.push({ ...(a.sources[0] as never) });
    expect(readSources(file)).toEqual(cfg('main'));
    writeFileSync(file, `${JSON.stringify(cfg('other'))}\n`);
    expect(readSources(file).sources[0]?.alias).toBe('other');
    // A file that no longer passes is refused, not answered from the last good read.
    writeFileSync(file, '{"sources_version":1,"sources":[{"alias":"../x"}]}\n');
    expect(() => readSources(file)).toThrow();
  });
});
