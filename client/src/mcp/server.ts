import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CallToolRequestSchema, type CallToolResult, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { type LockEntry, WharfError } from '@wharf/schemas';
import type { HomePaths } from '../home.js';
import { readLockfile } from '../lockfile.js';
import { type HostPolicy, type LoadedPlugin, loadPlugin } from '../run/load-plugin.js';
import { type PluginTool, toolInput, toolsFor } from './tools.js';

export interface McpOptions {
  /** Serve only these plugin ids (default: every installed plugin). */
  only?: string[];
  /** Config values per plugin id, checked against each plugin's declared config_keys. */
  config?: Record<string, Record<string, string>>;
  policy?: HostPolicy;
  version?: string;
}

export interface WharfMcp {
  server: McpServer;
  /** Closes the MCP connection and every plugin sandbox it opened. */
  close(): Promise<void>;
}

/**
 * An MCP server whose tools are the exports of the installed plugins. The lockfile is re-read on every tools/list
 * and tools/call, so installs and updates show up without a restart. A sandbox is opened on a plugin's first call
 * (loadPlugin re-hashes the bytes against the lockfile) and kept for later calls while its lock entry is unchanged.
 */
export function createWharfMcp(home: HomePaths, opts: McpOptions = {}): WharfMcp {
  // McpServer's registerTool wants zod shapes; our schemas are JSON Schema from manifests, so the tool handlers go on
  // the protocol-level server underneath it.
  const server = new McpServer(
    { name: 'wharf', version: opts.version ?? '0.1.0' },
    { capabilities: { tools: { listChanged: false } } },
  );
  const open = new Map<string, { sha256: string; plugin: Promise<LoadedPlugin> }>();

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

  server.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: toolsFor(installed()).map((t: PluginTool) => ({
      name: t.name,
      description: t.description,
      inputSchema: t.inputSchema,
    })),
  }));

  server.server.setRequestHandler(CallToolRequestSchema, async (req): Promise<CallToolResult> => {
    const entries = installed();
    const tool = toolsFor(entries).find((t) => t.name === req.params.name);
    if (!tool)
      return failure(new WharfError('E_NOT_INSTALLED', `No installed plugin provides tool "${req.params.name}".`));
    try {
      const entry = entries.find((e) => e.id === tool.pluginId) as LockEntry;
      const plugin = await sandboxFor(entry);
      const out = await plugin.call(tool.exportName, toolInput(tool, req.params.arguments));
      return { content: [{ type: 'text', text: Buffer.from(out).toString('utf8') }] };
    } catch (e) {
      return failure(e);
    }
  });

  return {
    server,
    async close() {
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

/** `wharf mcp`: serve over stdio (or the given transport) until the client hangs up, then close every sandbox. */
export async function serveMcpStdio(home: HomePaths, opts: McpOptions = {}, transport?: Transport): Promise<void> {
  const mcp = createWharfMcp(home, opts);
  const t = transport ?? new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    t.onclose = () => resolve(); // connect() chains its own handler after this one
    // StdioServerTransport does not report the client closing stdin; that is how stdio clients hang up.
    if (!transport) process.stdin.once('end', () => resolve());
  });
  await mcp.server.connect(t);
  await closed;
  await mcp.close();
}
