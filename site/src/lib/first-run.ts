// The commands a plugin page gives a first-time visitor, from nothing to a call: get the CLI, trust the
// registry (its root fingerprint), install, run an export on its sample_input, and use it as an MCP tool.
import type { ExportSpec, RegistryPlugin } from '@wharf/schemas';
import type { SiteConfig } from './site-config.js';

export const CLI_INSTALL = 'npm install -g @wharf/client';

/** POSIX single quoting: safe for any text, including quotes, $ and newlines. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** What `wharf mcp` names an export's tool (client/src/mcp/tools.ts toolName, short-name case). */
export function mcpToolName(pluginId: string, exportName: string): string {
  return `${pluginId}__${exportName}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

export interface FirstRun {
  sourceAdd?: string;
  install: string;
  run?: string;
  mcpConfig: string;
  mastra: string;
  toolName?: string;
}

export function firstRun(p: RegistryPlugin, exports: ExportSpec[], cfg: SiteConfig): FirstRun {
  const official = cfg.alias === 'wharf';
  const ref = official ? p.plugin_id : `${cfg.alias}:${p.plugin_id}`;
  const [primary, ...more] = cfg.mirrors;
  // Without a published mirror list (a local or private registry) the fingerprint is still worth printing:
  // the visitor fills in the URL they were given.
  const sourceAdd = cfg.rootSha256
    ? [
        `wharf source add ${shellQuote(cfg.alias)} ${primary ? shellQuote(primary) : '<registry-url>'}`,
        ...more.map((m) => `  --mirror ${shellQuote(m)}`),
        `  --root-sha256 ${cfg.rootSha256}`,
      ]
        .join(' \\\n')
        .concat('\nwharf refresh')
    : undefined;
  const sample = exports.find((e) => e.sample_input !== undefined) ?? exports[0];
  const run = sample
    ? `wharf run ${ref} ${shellQuote(sample.name)}${sample.sample_input !== undefined ? ` --input ${shellQuote(sample.sample_input)}` : ''}`
    : undefined;
  const server = `wharf-${p.plugin_id}`;
  const mcpConfig = JSON.stringify(
    { mcpServers: { [server]: { command: 'wharf', args: ['mcp', '--plugin', ref] } } },
    null,
    2,
  );
  const mastra = [
    "import { Agent } from '@mastra/core/agent';",
    "import { MCPClient } from '@mastra/mcp';",
    '',
    'const mcp = new MCPClient({',
    `  servers: { ${JSON.stringify(server)}: { command: 'wharf', args: ['mcp', '--plugin', ${JSON.stringify(ref)}] } },`,
    '});',
    'export const agent = new Agent({',
    `  name: ${JSON.stringify(p.name)},`,
    "  instructions: 'Use the Wharf plugin tools when they fit the task.',",
    '  model, // your model',
    '  tools: await mcp.getTools(),',
    '});',
  ].join('\n');
  return {
    sourceAdd,
    install: `wharf install ${ref}`,
    run,
    mcpConfig,
    mastra,
    toolName: sample ? mcpToolName(p.plugin_id, sample.name) : undefined,
  };
}
