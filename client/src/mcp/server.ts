import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { type LockEntry, WharfError } from '@wharf/schemas';
import type { HomePaths } from '../home.js';
import { readLockfile } from '../lockfile.js';
import { DEFAULT_POLICY, type HostPolicy, type LoadedPlugin, loadPlugin } from '../run/load-plugin.js';
import { watchLockfile } from './lockfile-watch.js';
import { CappedStdioTransport, type OversizedMessage } from './stdio-transport.js';
import { CheckCache } from './tool-schemas.js';
import { type PluginTool, structuredOutput, toolInput, toolsFor } from './tools.js';

export interface McpOptions {
  /** Serve only these plugin ids (default: every installed plugin). */
  only?: string[];
  /** Config values per plugin id, checked against each plugin's declared config_keys. */
  config?: Record<string, Record<string, string>>;
  policy?: HostPolicy;
  version?: string;
  /** Watch the lockfile and send notifications/tools/list_changed when installs change the tools (default true). */
  watch?: boolean;
}

export interface WharfMcp {
  server: McpServer;
  /** Closes the MCP connection and every plugin sandbox it opened. */
  close(): Promise<void>;
}

/**
 * An MCP server whose tools are the exports of the installed plugins. The lockfile is re-read on every tools/list
 * and tools/call, so installs and updates show up without a restart, and it is watched: when the tool list changes
 * the client gets notifications/tools/list_changed. A sandbox is opened on a plugin's first call (loadPlugin
 * re-hashes the bytes against the lockfile) and kept for later calls while its lock entry is unchanged.
 *
 * Errors follow the MCP spec (2025-11-25, SEP-1303): an unknown tool is a JSON-RPC -32602 error; arguments that do
 * not match the inputSchema, and every plugin failure, are tool results with isError and the E_ code, so the model
 * can read them and try again.
 */
export function createWharfMcp(home: HomePaths, opts: McpOptions = {}): WharfMcp {
  // McpServer's registerTool wants zod shapes; our schemas are JSON Schema from manifests, so the tool handlers go on
  // the protocol-level server underneath it.
  const server = new McpServer(
    { name: 'wharf', version: opts.version ?? '0.1.0' },
    { capabilities: { tools: { listChanged: opts.watch !== false } } },
  );
  const open = new Map<string, { sha256: string; plugin: Promise<LoadedPlugin> }>();
  const checks = new CheckCache();
  const keyOf = (t: PluginTool, entry: Pick<LockEntry, 'sha256'>, part: string) =>
    `${t.name}\0${entry.sha256}\0${part}`;

  const installed = (): LockEntry[] => {
    const entries = Object.values(readLockfile(home.lockfile).plugins);
    return opts.only ? entries.filter((e) => opts.only?.includes(e.id)) : entries;
  };

  const sandboxFor = (entry: LockEntry): Promise<LoadedPlugin> => {
    const cached = open.get(entry.id);
    if (cached?.sha256 === entry.sha256) return cached.plugin;
    if (cached) void cached.plugin.then((p) => p.close()).catch(() => {});
    const plugin = loadPlugin(home, entry.id, { config: opts.config?.[entry.id], policy: opts.policy });
    open.set(entry.id, { sha256: entry.sha256, plugin });
    // A failed load is not cached: the next call tries again (the user may have reinstalled).
    plugin.catch(() => open.delete(entry.id));
    return plugin;
  };

  const listTools = (): Tool[] => {
    const entries = installed();
    return toolsFor(entries).map((t: PluginTool) => {
      const entry = entries.find((e) => e.id === t.pluginId) as LockEntry;
      const tool: Tool = { name: t.name, description: t.description, inputSchema: t.inputSchema };
      // An outputSchema that does not compile is left out: the SDK's Client compiles every one on tools/list and
      // would fail the whole list over one plugin's schema.
      if (t.outputSchema && checks.compiles(keyOf(t, entry, 'out'), t.outputSchema, `output_schema of ${t.name}`))
        tool.outputSchema = t.outputSchema;
      return tool;
    });
  };

  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listTools() }));

  server.server.setRequestHandler(CallToolRequestSchema, async (req): Promise<CallToolResult> => {
    const entries = installed();
    const tool = toolsFor(entries).find((t) => t.name === req.params.name);
    if (!tool)
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${req.params.name} (no installed plugin provides it)`);
    try {
      const entry = entries.find((e) => e.id === tool.pluginId) as LockEntry;
      const args = req.params.arguments ?? {};
      const input = checks.get(keyOf(tool, entry, 'in'), tool.inputSchema, `input schema of ${tool.name}`)(args);
      if (!input.ok)
        throw new WharfError('E_SCHEMA', `The arguments do not match the inputSchema of ${tool.name}: ${input.why}`);
      // Structured output only where tools/list advertised an outputSchema (it compiles).
      const outKey = keyOf(tool, entry, 'out');
      const output =
        tool.outputSchema && checks.compiles(outKey, tool.outputSchema, `output_schema of ${tool.name}`)
          ? checks.get(outKey, tool.outputSchema, `output_schema of ${tool.name}`)
          : undefined;
      const plugin = await sandboxFor(entry);
      const text = Buffer.from(await plugin.call(tool.exportName, toolInput(tool, args))).toString('utf8');
      if (!output) return { content: [{ type: 'text', text }] };
      const structured = structuredOutput(tool, text);
      const verdict =
        structured === undefined
          ? { ok: false as const, why: 'it is not a JSON value of that shape' }
          : output(structured);
      if (!verdict.ok)
        throw new WharfError(
          'E_PLUGIN_FAILED',
          `${tool.pluginId} returned output that does not match the output_schema of "${tool.exportName}": ${verdict.why}`,
        );
      return { content: [{ type: 'text', text }], structuredContent: structured };
    } catch (e) {
      return failure(e);
    }
  });

  // notifications/tools/list_changed, sent when a change of the lockfile changes what tools/list answers.
  let stopWatch = (): void => {};
  if (opts.watch !== false) {
    const snapshot = (): string => {
      try {
        return JSON.stringify(listTools());
      } catch (e) {
        return `error: ${(e as Error).message}`; // a broken lockfile lists nothing: that is a change too
      }
    };
    let last = snapshot();
    stopWatch = watchLockfile(home.lockfile, () => {
      const now = snapshot();
      if (now === last) return;
      last = now;
      server.server.sendToolListChanged().catch(() => {}); // not connected (yet, or any more): nothing to tell
    });
  }

  return {
    server,
    async close() {
      stopWatch();
      await server.close();
      const plugins = [...open.values()];
      open.clear();
      await Promise.all(plugins.map((o) => o.plugin.then((p) => p.close()).catch(() => {})));
    },
  };
}

/** Tool errors go back to the model as results with isError, carrying the stable E_ code, as MCP asks. */
function failure(e: unknown): CallToolResult {
  const text =
    e instanceof WharfError
      ? `${e.code}: ${e.message}`
      : `E_PLUGIN_TRAP: ${e instanceof Error ? e.message : String(e)}`;
  return { isError: true, content: [{ type: 'text', text }] };
}

/** The largest JSON-RPC line `wharf mcp` reads: the sandbox's input cap, plus room for the message around it. */
export function maxMessageBytes(policy: HostPolicy = DEFAULT_POLICY): number {
  return (policy.maxInputBytes ?? DEFAULT_POLICY.maxInputBytes ?? 0) + ENVELOPE_BYTES;
}
const ENVELOPE_BYTES = 64 * 1024;

/** A message over the cap is answered, never a reason to stop: a tool call gets an E_TOO_LARGE tool result. */
function refuseOversized(m: OversizedMessage, t: CappedStdioTransport, cap: number): void {
  if (m.id === undefined) return; // a notification (or an id we could not read): there is no one to answer
  const why = `The request is ${m.bytes} bytes; wharf mcp reads requests of at most ${cap} bytes (the sandbox takes inputs up to ${cap - ENVELOPE_BYTES} bytes).`;
  const reply =
    m.method === 'tools/call'
      ? { jsonrpc: '2.0' as const, id: m.id, result: failure(new WharfError('E_TOO_LARGE', why)) }
      : {
          jsonrpc: '2.0' as const,
          id: m.id,
          error: { code: ErrorCode.InvalidRequest, message: `E_TOO_LARGE: ${why}` },
        };
  t.send(reply).catch(() => {});
}

/** `wharf mcp`: serve over stdio (or the given transport) until the client hangs up, then close every sandbox. */
export async function serveMcpStdio(home: HomePaths, opts: McpOptions = {}, transport?: Transport): Promise<void> {
  const mcp = createWharfMcp(home, opts);
  const cap = maxMessageBytes(opts.policy);
  const t =
    transport ??
    new CappedStdioTransport({ maxMessageBytes: cap, onOversized: (m, tr) => refuseOversized(m, tr, cap) });
  const closed = new Promise<void>((resolve) => {
    t.onclose = () => resolve(); // connect() chains its own handler after this one
    // StdioServerTransport does not report the client closing stdin; that is how stdio clients hang up.
    if (!transport) process.stdin.once('end', () => resolve());
  });
  await mcp.server.connect(t);
  await closed;
  await mcp.close();
}
