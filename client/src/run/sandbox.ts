import type { Worker } from 'node:worker_threads';
import createPlugin, { type CallContext, type Plugin } from '@extism/extism';
import { type ExportSpec, type Permissions, WharfError } from '@wharf/schemas';
import { ALLOC_GUARD_MODULE, allocGuardWasm, allocRefused, WHARF_HOST } from './alloc-guard.js';
import { capMemory } from './cap-memory.js';
import { EXIT_CODE_FN, PLUGIN_MODULE, wrapExports } from './exit-code.js';
import { trackWorkers } from './extism-workers.js';
import { guardedFetch } from './guarded-fetch.js';
import { checkLinkable, compileModule } from './link-check.js';
import { skipResponseLoad } from './no-undici.js';
import type { PrestartedWorker } from './prestart.js';

/** What the host allows whatever a plugin asks for. Fields added after the first release are optional. */
export interface HostPolicy {
  maxTimeoutMs: number;
  defaultTimeoutMs: number;
  /** Paths the user granted (host path → guest path); a plugin's allowed_paths are mounted only when granted here. */
  grantedPaths?: Record<string, string>;
  /** Linear-memory cap (64 KiB pages) for a plugin that declares no memory_max_pages. */
  defaultMemoryPages?: number;
  /** Hard cap over any plugin's memory_max_pages. */
  maxMemoryPages?: number;
  /** Largest output a call may return (E_TOO_LARGE beyond it). */
  maxOutputBytes?: number;
  /** Largest input a call accepts (E_TOO_LARGE beyond it). */
  maxInputBytes?: number;
  /** Total bytes of a plugin's vars (var_set beyond it gives E_TOO_LARGE). */
  maxVarBytes?: number;
  /** Largest HTTP response body handed to a plugin. */
  maxHttpResponseBytes?: number;
  /** Redirect hops an http_request may follow; every hop is re-checked against allowed_hosts. */
  maxRedirects?: number;
}

const MiB = 1024 * 1024;
const PAGE = 64 * 1024;

export const DEFAULT_POLICY: HostPolicy = {
  maxTimeoutMs: 30_000,
  defaultTimeoutMs: 5_000,
  // Undeclared: 64 MiB, room for typical Rust/Go/TinyGo heaps; a plugin needing more declares memory_max_pages.
  defaultMemoryPages: 1024,
  maxMemoryPages: 4096, // 256 MiB
  maxOutputBytes: 16 * MiB,
  maxInputBytes: 16 * MiB,
  maxVarBytes: 1 * MiB,
  maxHttpResponseBytes: 16 * MiB,
  maxRedirects: 5,
};

/** A plugin running in the sandbox: only declared exports are callable. */
export interface SandboxedPlugin {
  readonly id: string;
  call(exportName: string, input?: string | Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A host function the host app offers in `extism:host/user`; linked only when the plugin declared its name. */
export type HostFunction = (ctx: CallContext, ...args: bigint[]) => bigint | number | undefined | Promise<unknown>;

export interface SandboxInput {
  id: string;
  /** Bytes already admitted (hash-checked) by the caller. */
  wasm: Uint8Array;
  permissions: Permissions;
  exports: Pick<ExportSpec, 'name'>[];
  config?: Record<string, string>;
  policy?: HostPolicy;
  hostFunctions?: Record<string, HostFunction>;
  /** A worker started early (prestart.ts): the first instance runs in it; the sandbox terminates it otherwise. */
  prestarted?: PrestartedWorker;
}

const EXTISM_ENV = 'extism:host/env';
const EXTISM_USER = 'extism:host/user';

/**
 * The one place untrusted WASM is instantiated: the client's run/load, the review bot's smoke run and
 * `wharf plugin test` all come through here, so they enforce the same limits:
 * - memory: every memory's and table's limits are rewritten to a maximum (cap-memory.ts), so `memory.grow` and
 *   `table.grow` fail at the cap even when the module declares none; Extism's own block heap is capped too;
 * - time: `runInWorker` under the sandbox's own deadline, which terminates the worker; no SDK timer outlives a call
 *   (extism-workers.ts);
 * - return codes: a non-zero one fails the call with E_PLUGIN_FAILED (exit-code.ts);
 * - HTTP: only declared hosts, every redirect hop re-checked (guarded-fetch.ts);
 * - files: WASI preopens only for declared paths the user granted;
 * - sizes: input, output and vars are capped.
 * A call that traps or hits a host-side refusal leaves the Extism worker dead or its state unknown, so the next
 * call gets a fresh instance; calls are serialised because an Extism plugin is not reentrant.
 */
export async function openSandbox(input: SandboxInput): Promise<SandboxedPlugin> {
  try {
    return await open(input);
  } finally {
    input.prestarted?.cancel(); // a no-op once adopted
  }
}

async function open(input: SandboxInput): Promise<SandboxedPlugin> {
  const { id } = input;
  let prestarted = input.prestarted;
  const policy = { ...DEFAULT_POLICY, ...definedOnly(input.policy ?? {}) } as Required<HostPolicy>;
  const perms = input.permissions;
  const config = pickConfig(id, perms.config_keys ?? [], input.config ?? {});
  const timeoutMs = Math.min(perms.timeout_ms ?? policy.defaultTimeoutMs, policy.maxTimeoutMs);
  const memoryPages = Math.min(perms.memory_max_pages ?? policy.defaultMemoryPages, policy.maxMemoryPages);
  const capped = capMemory(input.wasm, memoryPages, { redirectAlloc: ALLOC_GUARD_MODULE });
  const allowedHosts = perms.allowed_hosts ?? [];

  // Extism's allowedPaths map guest → host (they become node:wasi preopens); the manifest's map host → guest.
  const preopens: Record<string, string> = {};
  for (const [host, guest] of Object.entries(perms.allowed_paths ?? {})) {
    if (policy.grantedPaths?.[host] === guest) preopens[guest] = host;
  }

  const envFunctions: Record<string, HostFunction> = {
    // Our own var_set so an oversized var fails the call with a clear code; rc13's check only logs on the host
    // side and its error never reaches the worker.
    var_set: (ctx, keyAddr, valueAddr) => {
      const key = ctx.read(keyAddr)?.text();
      if (key === undefined) return undefined;
      if (valueAddr === 0n) {
        ctx.deleteVariable(key);
        return undefined;
      }
      const value = ctx.read(valueAddr)?.bytes();
      if (!value) return undefined;
      try {
        ctx.setVariable(key, new Uint8Array(value));
      } catch {
        throw new WharfError(
          'E_TOO_LARGE',
          `${id} tried to store ${value.byteLength} bytes in var "${key.slice(0, 64)}"; its vars may hold ${policy.maxVarBytes} bytes in all.`,
        );
      }
      return undefined;
    },
  };
  const userFunctions: Record<string, HostFunction> = {};
  for (const name of perms.host_functions ?? []) {
    const fn = input.hostFunctions?.[name];
    if (fn) userFunctions[name] = fn;
  }
  // The exit-code wrapper becomes `main` and the plugin a module it links (exit-code.ts).
  const wrap = wrapExports(
    capped.wasm,
    input.exports.map((e) => e.name),
    WHARF_HOST,
  );
  // Compiled here, once and in parallel (and handed to Extism as modules), so that an unresolvable import is refused
  // before a worker starts.
  const [plugin, wrapper, guard] = await Promise.all([
    compileModule(id, wrap?.plugin ?? capped.wasm),
    wrap ? compileModule(id, wrap.main) : undefined,
    capped.allocRedirected ? compileModule(id, allocGuardWasm(policy.maxOutputBytes)) : undefined,
  ]);
  checkLinkable(id, plugin, {
    wasi: perms.wasi === true,
    functions: {
      [EXTISM_USER]: Object.keys(userFunctions),
      ...(capped.allocRedirected ? { [ALLOC_GUARD_MODULE]: ['alloc'] } : {}),
    },
  });
  const modules = [
    ...(guard ? [{ name: ALLOC_GUARD_MODULE, module: guard }] : []),
    ...(wrapper
      ? [
          { name: PLUGIN_MODULE, module: plugin },
          { name: 'main', module: wrapper },
        ]
      : [{ name: 'main', module: plugin }]),
  ];

  // The host-side block heap (input, output, HTTP bodies) gets its own cap; Extism counts it in pages.
  const blockPages = Math.ceil((policy.maxInputBytes + policy.maxOutputBytes + policy.maxHttpResponseBytes) / PAGE);
  /** The non-zero code the current call's export returned (calls are serialised). */
  let exitCode = 0;
  const hostFunctions: Record<string, HostFunction> = {
    // Called by the alloc guard when Extism refused an allocation (alloc-guard.ts).
    // `why` is an i32, so it arrives as a number despite HostFunction's bigint[] (i64 parameters).
    alloc_refused: (_ctx, n, why) => allocRefused(id, n, Number(why), policy.maxOutputBytes, blockPages * PAGE),
    [EXIT_CODE_FN]: (_ctx, rc) => {
      exitCode = Number(rc) | 0;
      return undefined;
    },
  };

  // A fresh object per instance: rc13 adds var_get bound to that instance's context into it with `??=`, so a
  // shared one would leave a re-instantiated plugin reading the dead instance's vars. Each host function refuses to
  // answer once its instance is gone: rc13 would otherwise wait forever (with a 1 ms interval running) to hand the
  // result to a worker the sandbox terminated.
  const functions = (dead: AbortSignal): Record<string, Record<string, HostFunction>> => ({
    [EXTISM_ENV]: guarded(envFunctions, dead),
    [WHARF_HOST]: guarded(hostFunctions, dead),
    ...(Object.keys(userFunctions).length ? { [EXTISM_USER]: guarded(userFunctions, dead) } : {}),
  });

  const instantiate = async (): Promise<Instance> => {
    const inst: Instance = { plugin: null, workers: [], dead: new AbortController() };
    const signal = inst.dead.signal;
    const pre = prestarted;
    prestarted = undefined; // only the first try: a retry after a timeout starts afresh
    const start = trackWorkers(
      (w) => inst.workers.push(w),
      () => {
        const manifest = { wasm: modules, config };
        return skipResponseLoad(manifest, () =>
          createPlugin(manifest, {
            // No timeoutMs: see extism-workers.ts; the deadline below and in callOnce is the sandbox's own.
            runInWorker: true,
            useWasi: perms.wasi === true,
            allowedHosts,
            allowedPaths: preopens,
            fetch: guardedFetch({ id, allowedHosts, maxRedirects: policy.maxRedirects, timeoutMs, signal }),
            memory: {
              maxPages: blockPages,
              maxVarBytes: policy.maxVarBytes,
              maxHttpResponseBytes: policy.maxHttpResponseBytes,
            },
            functions: functions(signal),
            logger: quietLogger,
          }),
        );
      },
      pre,
    );
    try {
      inst.plugin = await withDeadline(start, timeoutMs);
      return inst;
    } catch (e) {
      void end(inst);
      throw runtimeError(e, id, 'instantiate', timeoutMs);
    }
  };
  // Instantiation (worker start plus the start section) gets the call timeout. On a loaded machine a worker alone
  // can take longer than a short timeout, so one more try; a start section that loops fails both.
  const instantiateRetrying = async (): Promise<Instance> => {
    try {
      return await instantiate();
    } catch (e) {
      if (!(e instanceof WharfError && e.code === 'E_PLUGIN_TIMEOUT')) throw e;
      return await instantiate();
    }
  };

  let instance: Instance | null = await instantiateRetrying();
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const discard = () => {
    const i = instance;
    instance = null;
    if (i) void end(i);
  };
  const declared = new Set(input.exports.map((e) => e.name));

  const callOnce = async (exportName: string, data: string | Uint8Array): Promise<Uint8Array> => {
    if (closed) throw new WharfError('E_PLUGIN_TRAP', `${id} is closed.`);
    instance ??= await instantiateRetrying();
    const p = instance.plugin as Plugin;
    exitCode = 0;
    let bytes: Uint8Array;
    try {
      bytes = await withDeadline(
        (async () => {
          const out = await p.call(exportName, data);
          const b = out ? new Uint8Array(out.bytes()) : new Uint8Array();
          // rc13 never frees the host-side blocks of a worker plugin between calls (input, output, HTTP bodies), so
          // without this a long-lived plugin (wharf mcp) leaks and then hits the block cap. Vars survive a reset.
          await p.reset();
          return b;
        })(),
        timeoutMs,
      );
    } catch (e) {
      if (!stillHealthy(e)) discard();
      if (exitCode !== 0 && !(e instanceof DeadlinePassed)) throw failed(id, exportName, exitCode, e);
      throw runtimeError(e, id, exportName, timeoutMs);
    }
    if (exitCode !== 0) throw failed(id, exportName, exitCode);
    if (bytes.byteLength > policy.maxOutputBytes) {
      throw new WharfError(
        'E_TOO_LARGE',
        `${id} ${exportName} returned ${bytes.byteLength} bytes; the output cap is ${policy.maxOutputBytes} bytes.`,
      );
    }
    return bytes;
  };

  return {
    id,
    call(exportName, data = '') {
      if (!declared.has(exportName)) {
        return Promise.reject(
          new WharfError(
            'E_WASM_EXPORT',
            `${id} declares no export "${exportName}" (it has: ${[...declared].join(', ')}).`,
          ),
        );
      }
      const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
      if (size > policy.maxInputBytes) {
        return Promise.reject(
          new WharfError('E_TOO_LARGE', `The input is ${size} bytes; the input cap is ${policy.maxInputBytes} bytes.`),
        );
      }
      const run = queue.then(() => callOnce(exportName, data));
      queue = run.catch(() => {});
      return run;
    },
    async close() {
      closed = true;
      await queue;
      const i = instance;
      instance = null;
      if (i) await end(i);
    },
  };
}

/** One Extism plugin instance and the workers it started (extism-workers.ts). */
interface Instance {
  plugin: Plugin | null;
  workers: Worker[];
  /** Aborted when the instance ends: its host functions and HTTP requests stop answering. */
  dead: AbortController;
}

/** Ends an instance: terminating a worker stuck in a loop still succeeds. Nothing of it keeps the process alive. */
async function end(inst: Instance): Promise<void> {
  inst.dead.abort();
  const closing = inst.plugin?.close().catch(() => {});
  await Promise.all([closing, ...inst.workers.map((w) => w.terminate().catch(() => {}))]);
}

class DeadlinePassed extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

/** `work`, or DeadlinePassed after `ms`; the timer is cleared either way, so it never outlives the work. */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlinePassed(ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Host functions that stop answering once their instance has ended: a pending one rejects at once. Otherwise rc13
 * writes the result for a worker the sandbox terminated and waits for it forever, with a 1 ms interval keeping the
 * process alive. rc13 adds its own (http_request, var_get…) into the namespace object after we hand it over, so the
 * object guards whatever is stored into it too.
 */
function guarded(fns: Record<string, HostFunction>, dead: AbortSignal): Record<string, HostFunction> {
  const gone = () => new Error('the plugin instance has ended');
  const guard =
    (fn: HostFunction): HostFunction =>
    (ctx, ...args) => {
      if (dead.aborted) throw gone();
      const r = fn(ctx, ...args);
      if (!(r instanceof Promise)) return r;
      return new Promise((resolve, reject) => {
        const onEnd = () => reject(gone());
        dead.addEventListener('abort', onEnd, { once: true });
        r.then(
          (v) => (dead.aborted ? reject(gone()) : resolve(v)),
          (e: unknown) => reject(e),
        ).finally(() => dead.removeEventListener('abort', onEnd));
      });
    };
  const target: Record<string, HostFunction> = {};
  for (const [name, fn] of Object.entries(fns)) target[name] = guard(fn);
  return new Proxy(target, {
    set(t, name, value) {
      t[name as string] = typeof value === 'function' ? guard(value as HostFunction) : value;
      return true;
    },
  });
}

/** A non-zero return code: a failure with E_PLUGIN_FAILED, carrying the plugin's own error message if it set one. */
function failed(id: string, where: string, rc: number, e?: unknown): WharfError {
  const reported = e === undefined ? null : /^Plugin-originated error: ([\s\S]*)$/.exec(messageOf(e));
  return new WharfError(
    'E_PLUGIN_FAILED',
    `${id} ${where} failed with return code ${rc}${reported ? `: ${reported[1]}` : ''}.`,
  );
}

/**
 * After which failures the Extism plugin can take another call: an error the plugin reported itself (error_set).
 * Anything else (a trap, a refused host call, which makes rc13 terminate the worker, or the deadline) gets a fresh
 * instance.
 */
function stillHealthy(e: unknown): boolean {
  if (e instanceof DeadlinePassed || e instanceof WharfError) return false;
  return messageOf(e).startsWith('Plugin-originated error:');
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function pickConfig(id: string, keys: string[], given: Record<string, string>): Record<string, string> {
  const allowed = new Set(keys);
  // "*" comes only from a legacy WXAUTO-MGT `config.read`, which grants the plugin its whole config.
  for (const k of Object.keys(given)) {
    if (!allowed.has(k) && !allowed.has('*'))
      throw new WharfError(
        'E_PERMISSION_UNKNOWN',
        `${id} declares no config key "${k}" (declared: ${keys.join(', ') || 'none'}).`,
      );
  }
  return given;
}

/** Errors cross the worker boundary as plain {message} objects, and WASI proc_exit as a Symbol. */
function messageOf(e: unknown): string {
  if (typeof e === 'symbol') return 'the plugin exited (WASI proc_exit)';
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object' && 'message' in e) {
    const m = (e as { message: unknown }).message;
    // The worker sends {message: undefined} for a thrown non-Error, which is how proc_exit's Symbol arrives.
    return m === undefined ? 'the plugin exited (WASI proc_exit) or threw a non-Error value' : String(m);
  }
  return String(e);
}

function runtimeError(e: unknown, id: string, where: string, timeoutMs: number): WharfError {
  if (e instanceof WharfError) return e;
  if (e instanceof DeadlinePassed)
    return new WharfError('E_PLUGIN_TIMEOUT', `${id} ${where} ran past its ${timeoutMs} ms limit.`);
  const msg = messageOf(e);
  if (/timeout|timed out/i.test(msg))
    return new WharfError('E_PLUGIN_TIMEOUT', `${id} ${where} ran past its ${timeoutMs} ms limit.`);
  const denied = /HTTP request to "([^"]*)" is not allowed/.exec(msg);
  if (denied)
    return new WharfError('E_HTTP_HOST_DENIED', `${id} ${where} may not reach ${denied[1]}: not in its allowed_hosts.`);
  const reported = /^Plugin-originated error: ([\s\S]*)$/.exec(msg);
  if (reported) return new WharfError('E_PLUGIN_TRAP', `${id} ${where} reported an error: ${reported[1]}`);
  return new WharfError('E_PLUGIN_TRAP', `${id} ${where} failed: ${msg}`);
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop } as unknown as Console;
