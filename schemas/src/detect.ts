// Which format a parsed JSON document is, judged by its content (`wharf-admin validate <file>` takes any of them).

export type DocumentKind =
  | 'manifest'
  | 'registry'
  | 'lockfile'
  | 'sources'
  | 'report'
  | 'submission'
  | 'wxauto-registry'
  | 'wxauto-manifest'
  | 'extismx-manifest';

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/**
 * Version markers win; then the key each format is built around (`id` for native manifests, `plugin_id` for
 * WXAUTO-MGT and submissions). A broken document of a known kind is still detected so its problems can be listed.
 */
export function detectKind(x: unknown): DocumentKind | undefined {
  if (!isObject(x)) return undefined;
  if ('lockfile_version' in x) return 'lockfile';
  if ('sources_version' in x) return 'sources';
  if ('report_version' in x) return 'report';
  if ('schema_version' in x) return 'registry';
  if (Array.isArray(x.plugins)) return 'wxauto-registry';
  if ('id' in x) return 'manifest';
  if ('plugin_id' in x) {
    if ('public_key' in x || 'checklist' in x || ('tag' in x && !('version' in x))) return 'submission';
    return 'wxauto-manifest';
  }
  if (
    typeof x.name === 'string' &&
    ('runtime' in x || 'language' in x || 'keywords' in x || Array.isArray(x.exports))
  ) {
    return 'extismx-manifest';
  }
  return undefined;
}
