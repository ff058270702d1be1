// Permissions in plain words, each with the author's justification (DESIGN §2).
import type { PermissionName, Permissions } from '@wharf/schemas';
import type { Lang } from './i18n';
import { translator } from './i18n';

export interface PermissionLine {
  name: PermissionName;
  text: string;
  justification?: string;
}

export function describePermissions(lang: Lang, p: Permissions): PermissionLine[] {
  const t = translator(lang);
  const list = (xs: string[]) => xs.join(', ');
  const lines: Array<[PermissionName, string | undefined]> = [
    ['allowed_hosts', p.allowed_hosts?.length ? t('perm.allowed_hosts', { list: list(p.allowed_hosts) }) : undefined],
    [
      'allowed_paths',
      p.allowed_paths && Object.keys(p.allowed_paths).length > 0
        ? t('perm.allowed_paths', {
            list: list(Object.entries(p.allowed_paths).map(([host, guest]) => `${host} → ${guest}`)),
          })
        : undefined,
    ],
    ['config_keys', p.config_keys?.length ? t('perm.config_keys', { list: list(p.config_keys) }) : undefined],
    [
      'host_functions',
      p.host_functions?.length ? t('perm.host_functions', { list: list(p.host_functions) }) : undefined,
    ],
    [
      'memory_max_pages',
      p.memory_max_pages !== undefined
        ? t('perm.memory_max_pages', { n: Math.round((p.memory_max_pages * 64) / 1024) })
        : undefined,
    ],
    ['timeout_ms', p.timeout_ms !== undefined ? t('perm.timeout_ms', { n: p.timeout_ms }) : undefined],
    ['wasi', p.wasi ? t('perm.wasi') : undefined],
  ];
  return lines
    .filter((l): l is [PermissionName, string] => l[1] !== undefined)
    .map(([name, text]) => ({ name, text, justification: p.justifications?.[name] }));
}
