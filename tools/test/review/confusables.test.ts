import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from '@wharf/schemas';
import { describe, expect, it } from 'vitest';
import { skeleton } from '../../src/review/confusables.js';
import { reviewRelease } from '../../src/review/review-release.js';
import { EXAMPLES } from './market-fixture.js';

describe('squatting and confusables', () => {
  it('gives look-alikes one skeleton and keeps different words apart', () => {
    expect(skeleton('Соunt Vowels')).toBe(skeleton('count-vowels')); // Cyrillic С and о
    expect(skeleton('count-vowe1s')).toBe(skeleton('count-vowels'));
    expect(skeleton('cornpress')).toBe(skeleton('compress'));
    expect(skeleton('ＷＯＲＤ_STATS')).toBe(skeleton('word-stats')); // full width, case, separator
    expect(skeleton('clock')).not.toBe(skeleton('dock'));
    expect(skeleton('mail')).not.toBe(skeleton('mall'));
  });

  it('fails id.rules with E_NAME_CONFLICT for a plugin that imitates a listed one', () => {
    const read = (f: string) => new Uint8Array(readFileSync(join(EXAMPLES, 'count-vowels', f)));
    const manifest = JSON.parse(readFileSync(join(EXAMPLES, 'count-vowels', 'plugin.json'), 'utf8'));
    const registry = {
      categories: [{ id: 'utility' }],
      plugins: [{ plugin_id: 'count-vowels', name: 'Count Vowels', releases: [], keys: [] }],
    } as unknown as Registry;
    const imitation = { ...manifest, id: 'count-vowe1s', name: 'Соunt Vowels' };
    const { report } = reviewRelease({
      wasm: read('plugin.wasm'),
      minisig: read('plugin.wasm.minisig'),
      manifest: new TextEncoder().encode(JSON.stringify(imitation)),
      registry,
    });
    expect(report.checks.find((c) => c.id === 'id.rules')?.message).toMatch(/^E_NAME_CONFLICT: .*count-vowels/);
    expect(report.passed).toBe(false);
  });
});
