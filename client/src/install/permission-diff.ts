import type { PermissionName, Permissions } from '@wharf/schemas';

/** One way a new version asks for more than the installed one had. */
export interface PermissionWidening {
  permission: PermissionName;
  /** Human text: "+ api.example.com", "wasi: off → on", "timeout_ms: 1000 → 5000". */
  change: string;
}

const LISTS = ['allowed_hosts', 'config_keys', 'host_functions'] as const;

/**
 * What `after` grants that `before` did not. Narrowing is never reported: consent is only needed to give a
 * plugin more (DESIGN §4 capability escalation).
 */
export function widenedPermissions(before: Permissions, after: Permissions): PermissionWidening[] {
  const out: PermissionWidening[] = [];
  for (const p of LISTS) {
    const had = new Set(before[p] ?? []);
    for (const v of after[p] ?? []) if (!had.has(v)) out.push({ permission: p, change: `+ ${v}` });
  }
  const hadPaths = before.allowed_paths ?? {};
  for (const [host, guest] of Object.entries(after.allowed_paths ?? {})) {
    if (hadPaths[host] !== guest) out.push({ permission: 'allowed_paths', change: `+ ${host} → ${guest}` });
  }
  if (after.wasi === true && before.wasi !== true) out.push({ permission: 'wasi', change: 'wasi: off → on' });
  for (const p of ['memory_max_pages', 'timeout_ms'] as const) {
    const a = after[p];
    const b = before[p];
    // An absent limit means the host default; only an explicit raise above the old value widens.
    if (a !== undefined && (b === undefined || a > b))
      out.push({ permission: p, change: `${p}: ${b ?? 'default'} → ${a}` });
  }
  return out;
}

export function describeWidening(id: string, from: string, to: string, w: PermissionWidening[]): string {
  return [`${id} ${from} → ${to} asks for more permissions:`, ...w.map((x) => `  ${x.permission}: ${x.change}`)].join(
    '\n',
  );
}
