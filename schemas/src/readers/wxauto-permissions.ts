// WXAUTO-MGT's permission strings (wxauto_mgt/core/plugin_system/plugin_security.py, 14 of them; the issue form
// offers 11) mapped onto Wharf permissions. WXAUTO plugins are Python; an Extism plugin can only do what the host
// grants, so several have no Wharf equivalent and are reported as unsupported instead of being silently dropped.
import type { PermissionName, Permissions } from '../types.js';

export interface WxautoPermission {
  label: string;
  label_zh: string;
  /** Wharf permissions this one becomes; empty for implicit or unsupported ones. */
  grants: readonly PermissionName[];
  /** false: no Wharf equivalent (E_PERMISSION_UNSUPPORTED when installing). */
  supported: boolean;
}

export const WXAUTO_PERMISSIONS: Readonly<Record<string, WxautoPermission>> = {
  'network.http': {
    label: 'HTTP network access',
    label_zh: 'HTTP网络访问',
    grants: ['allowed_hosts'],
    supported: true,
  },
  'network.https': {
    label: 'HTTPS network access',
    label_zh: 'HTTPS网络访问',
    grants: ['allowed_hosts'],
    supported: true,
  },
  'network.socket': { label: 'Socket network access', label_zh: 'Socket网络访问', grants: [], supported: false },
  'file.read': { label: 'Read files', label_zh: '文件读取', grants: ['allowed_paths', 'wasi'], supported: true },
  'file.write': { label: 'Write files', label_zh: '文件写入', grants: ['allowed_paths', 'wasi'], supported: true },
  'file.execute': { label: 'Execute files', label_zh: '文件执行', grants: [], supported: false },
  'config.read': { label: 'Read configuration', label_zh: '配置读取', grants: ['config_keys'], supported: true },
  'config.write': { label: 'Write configuration', label_zh: '配置写入', grants: ['config_keys'], supported: true },
  'database.read': { label: 'Read the database', label_zh: '数据库读取', grants: [], supported: false },
  'database.write': { label: 'Write the database', label_zh: '数据库写入', grants: [], supported: false },
  // Processing the message it is given is what every plugin does: it is the export's input, no grant needed.
  'message.process': { label: 'Process messages', label_zh: '消息处理', grants: [], supported: true },
  // Sending needs a host function Wharf hosts don't provide.
  'message.send': { label: 'Send messages', label_zh: '消息发送', grants: [], supported: false },
  'system.command': { label: 'Run system commands', label_zh: '系统命令执行', grants: [], supported: false },
  'system.registry': { label: 'Access the system registry', label_zh: '系统注册表访问', grants: [], supported: false },
};

export interface WxautoPermissionMapping {
  permissions: Permissions;
  /** Known WXAUTO permissions with no Wharf equivalent. */
  unsupported: string[];
  /** Strings that are not WXAUTO permissions at all. */
  unknown: string[];
}

/** Guest directory that WXAUTO file access maps to; the host side is relative to the plugin's data dir. */
export const WXAUTO_DATA_DIR = { host: './data', guest: '/data' } as const;

/**
 * Maps WXAUTO-MGT permission strings. HTTP(S) becomes `allowed_hosts: ['*']` (WXAUTO declares no hosts);
 * file access becomes one data directory plus WASI; config access becomes `configKeys` (the manifest's
 * config_schema keys when known) or `['*']`.
 */
export function mapWxautoPermissions(
  perms: readonly string[],
  opts: { configKeys?: string[] } = {},
): WxautoPermissionMapping {
  const permissions: Permissions = {};
  const unsupported: string[] = [];
  const unknown: string[] = [];
  const sources = new Map<PermissionName, string[]>();
  for (const raw of perms) {
    // Text is kept NFC now; a full-width "ｎｅｔｗｏｒｋ．ｈｔｔｐ" still names network.http.
    const name = raw.normalize('NFKC').trim();
    const info = Object.hasOwn(WXAUTO_PERMISSIONS, name) ? WXAUTO_PERMISSIONS[name] : undefined;
    if (!info) {
      if (!unknown.includes(raw)) unknown.push(raw);
      continue;
    }
    if (!info.supported) {
      if (!unsupported.includes(name)) unsupported.push(name);
      continue;
    }
    for (const g of info.grants) {
      const list = sources.get(g) ?? [];
      if (!list.includes(name)) list.push(name);
      sources.set(g, list);
      if (g === 'allowed_hosts') permissions.allowed_hosts = ['*'];
      if (g === 'allowed_paths') permissions.allowed_paths = { [WXAUTO_DATA_DIR.host]: WXAUTO_DATA_DIR.guest };
      if (g === 'wasi') permissions.wasi = true;
      if (g === 'config_keys') {
        const keys = opts.configKeys && opts.configKeys.length > 0 ? [...opts.configKeys] : ['*'];
        permissions.config_keys = keys;
      }
    }
  }
  if (sources.size > 0) {
    const justifications: NonNullable<Permissions['justifications']> = {};
    for (const [g, from] of sources) justifications[g] = `Imported from WXAUTO-MGT permission ${from.join(', ')}.`;
    permissions.justifications = justifications;
  }
  return { permissions, unsupported, unknown };
}
