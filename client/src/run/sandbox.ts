import createPlugin, { type Plugin } from '@extism/extism';
import { type ExportSpec, type Permissions, WharfError } from '@wharf/schemas';

/** What the host allows whatever a plugin asks for. */
export interface HostPolicy {
  maxTimeoutMs: number;
  defaultTimeoutMs: number;
  /** Paths the user granted; a plugin's allowed_paths are mounted only when granted here. */
  grantedPaths?: Record<string, string>;
}

export const DEFAULT_POLICY: HostPolicy = { maxTimeoutMs: 30_000, defaultTimeoutMs: 5_000 };

/** A plugin running in the sandbox: only declared exports are callable. */
export interface SandboxedPlugin {
  readonly id: string;
  call(exportName: string, input?: string | Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface SandboxInput {
  id: string;
  /** Bytes already admitted (hash-checked) by the caller. */
  wasm: Uint8Array;
  permissions: Permissions;
  exports: Pick<ExportSpec, 'name'>[];
  config?: Record<string, string>;
  policy?: HostPolicy;
}

/**
 * The one place untrusted WASM is instantiated: the client's run/load, the review bot's smoke run and
 * `wharf plugin test` all come through here, so they enforce the same limits.
 */
export async function openSandbox(input: SandboxInput): Promise<SandboxedPlugin> {
  const { id } = input;
  const policy = input.policy ?? DEFAULT_POLICY;
  const perms = input.permissions;
  const config = pickConfig(id, perms.config_keys ?? [], input.config ?? {});
  const timeoutMs = Math.min(perms.timeout_ms ?? policy.defaultTimeoutMs, policy.maxTimeoutMs);
  const allowedPaths: Record<string, string> = {};
  for (const [host, guest] of Object.entries(perms.allowed_paths ?? {})) {
    if (policy.grantedPaths?.[host] === guest) allowedPaths[host] = guest;
  }
  let plugin: Plugin;
  try {
    // A fresh Uint8Array: a pooled Buffer would fail Extism's hash check (DESIGN §10).
    plugin = await createPlugin(
      { wasm: [{ data: new Uint8Array(input.wasm) }], config },
      {
        runInWorker: true,
        timeoutMs,
        useWasi: perms.wasi === true,
        allowedHosts: perms.allowed_hosts ?? [],
        allowedPaths,
        logger: quietLogger,
      },
    );
  } catch (e) {
    throw runtimeError(e, id, 'instantiate', timeoutMs);
  }
  const declared = new Set(input.exports.map((e) => e.name));
  return {
    id,
    async call(exportName, input = '') {
      if (!declared.has(exportName)) {
        throw new WharfError(
          'E_WASM_EXPORT',
          `${id} declares no export "${exportName}" (it has: ${[...declared].join(', ')}).`,
        );
      }
      try {
        const out = await plugin.call(exportName, input);
        return out ? out.bytes() : new Uint8Array();
      } catch (e) {
        throw runtimeError(e, id, exportName, timeoutMs);
      }
    },
    async close() {
      await plugin.close();
    },
  };
}

function pickConfig(id: string, keys: string[], given: Record<string, string>): Record<string, string> {
  const allowed = new Set(keys);
  for (const k of Object.keys(given)) {
    if (!allowed.has(k))
      throw new WharfError(
        'E_PERMISSION_UNKNOWN',
        `${id} declares no config key "${k}" (declared: ${keys.join(', ') || 'none'}).`,
      );
  }
  return given;
}

function runtimeError(e: unknown, id: string, where: string, timeoutMs: number): WharfError {
  if (e instanceof WharfError) return e;
  const msg = typeof e === 'symbol' ? 'the plugin exited (WASI proc_exit)' : e instanceof Error ? e.message : String(e);
  if (/timeout|timed out/i.test(msg))
    return new WharfError('E_PLUGIN_TIMEOUT', `${id} ${where} ran past its ${timeoutMs} ms limit.`);
  return new WharfError('E_PLUGIN_TRAP', `${id} ${where} failed: ${msg}`);
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop } as unknown as Console;
