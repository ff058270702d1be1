// The WXAUTO-MGT paths added for compatibility take outside input: a WXAUTO registry entry's extra fields
// (compatibility, permissions, screenshots, review, …), a plugin address that may be a legacy id, and repository
// URLs turned into forge API URLs. Each may accept or refuse, but only with a WharfError.
import { parseAddress } from '@wharf/client';
import { forgeRepoRef, readRegistry, releasesApiUrl } from '@wharf/schemas';
import { exportWxauto } from '@wharf/tools';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS, fuzz } from './only-wharf-errors.js';

const anyValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string()),
);
const extras = fc.record(
  {
    compatibility: fc.oneof(
      anyValue,
      fc.record({ min_wxauto_version: anyValue, max_wxauto_version: anyValue, supported_os: anyValue }),
    ),
    permissions: anyValue,
    dependencies: anyValue,
    features: anyValue,
    screenshots: fc.oneof(anyValue, fc.array(fc.webUrl())),
    documentation: fc.oneof(anyValue, fc.webUrl()),
    review: fc.oneof(
      anyValue,
      fc.record({
        reviewer: anyValue,
        review_date: anyValue,
        security_score: anyValue,
        quality_score: anyValue,
        comments: anyValue,
      }),
    ),
    stats: fc.record({ downloads: anyValue, forks: anyValue, rating_count: anyValue }, { requiredKeys: [] }),
    author: fc.oneof(anyValue, fc.record({ name: anyValue, website: fc.oneof(anyValue, fc.webUrl()) })),
    repository: fc.record({ primary: fc.record({ url: fc.oneof(fc.webUrl(), anyValue), releases_url: anyValue }) }),
  },
  { requiredKeys: [] },
);

describe('WXAUTO compatibility paths, fuzzed', () => {
  it('readRegistry on WXAUTO entries with arbitrary extra fields, then export, only throws WharfErrors', () => {
    fuzz(extras, (x) => {
      const doc = {
        version: '1.0.0',
        plugins: [
          {
            plugin_id: 'some_plugin',
            name: '插件',
            versions: { latest: '1.0.0' },
            homepage: 'https://a.example',
            ...x,
          },
        ],
        categories: [],
        metadata: {},
      };
      exportWxauto(readRegistry(doc));
    });
  });

  it('parseAddress on any string only throws WharfErrors, and never returns an id with a path separator', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        try {
          const a = parseAddress(s);
          expect(a.id).not.toMatch(/[/\\.]|^_/);
        } catch (e) {
          expect((e as { code?: string }).code).toMatch(/^E_[A-Z_]+$/);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('forgeRepoRef and releasesApiUrl give https URLs on the same forge, or nothing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string()), (u) => {
        const ref = forgeRepoRef(u);
        if (ref)
          for (const v of Object.values(ref))
            expect(v).toMatch(/^https:\/\/(api\.github\.com|gitee\.com|codeberg\.org|gitea\.com)\//);
        const r = releasesApiUrl(u);
        expect(r === u || /^https:\/\/[a-z.]+\/(repos|api\/v[15]\/repos)\/[^/]+\/[^/]+\/releases$/.test(r)).toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
