import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// site/docs/*/security.md maps every threat to the test that tries it; this keeps the map from going stale.
const repo = resolve(import.meta.dirname, '..');
const page = (lang: string) => readFileSync(join(repo, 'site', 'docs', lang, 'security.md'), 'utf8');
const rows = (md: string) => md.split('\n').filter((l) => /^\| /.test(l) && !/^\| -/.test(l));
const testFiles = (md: string) => [...new Set(md.match(/[\w./-]+\.test\.ts/g) ?? [])];

describe('the security page', () => {
  it('names only test files that exist, and at least one on every threat row', () => {
    for (const lang of ['en', 'zh']) {
      const md = page(lang);
      for (const f of testFiles(md)) expect(existsSync(join(repo, f)), `${lang}: ${f}`).toBe(true);
      for (const r of rows(md)) {
        if (/\| (Threat|Parser|威胁|解析器) \|/.test(r)) continue;
        expect(testFiles(r).length, `${lang}: ${r}`).toBeGreaterThan(0);
      }
    }
  });

  it('lists the same rows with the same tests in English and Chinese', () => {
    const [en, zh] = [rows(page('en')), rows(page('zh'))];
    expect(zh.length).toBe(en.length);
    for (const [i, r] of en.entries()) expect(testFiles(zh[i] as string)).toEqual(testFiles(r));
  });

  it('covers every fuzz test and every threat test file', () => {
    const md = page('en');
    for (const dir of ['test/fuzz', 'test/threats', 'test/home']) {
      const files = readdirSync(join(repo, dir)).filter((f) => f.endsWith('.test.ts'));
      for (const f of files) expect(md, `${dir}/${f}`).toContain(`${dir}/${f}`);
    }
  });
});
