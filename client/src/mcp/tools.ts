import { createHash } from 'node:crypto';
import type { ExportSpec, LockEntry } from '@wharf/schemas';

/** One MCP tool: an export of an installed plugin, and how tool arguments become the plugin's input bytes. */
export interface PluginTool {
  name: string;
  description: string;
  inputSchema: { type: 'object'; [k: string]: unknown };
  pluginId: string;
  exportName: string;
  /**
   * object: the export's input_schema is a JSON object schema; the arguments are its input, as JSON.
   * text: no schema, or a string schema; the tool takes {input: string} and the plugin gets the raw text.
   * json: any other schema (array, number…); the tool takes {input: <that schema>} and the plugin gets it as JSON.
   */
  mode: 'object' | 'text' | 'json';
  /** The export's output_schema as an MCP outputSchema (always an object schema). */
  outputSchema?: { type: 'object'; [k: string]: unknown };
  /**
   * object: the output, as JSON, is the structured content. text: a string schema; the raw output text goes under
   * `result`. json: any other schema; the output, as JSON, goes under `result` (MCP wants an object).
   */
  outputMode?: 'object' | 'text' | 'json';
}

// MCP clients (and several agent frameworks) accept tool names of [A-Za-z0-9_-], at most 64 characters.
const NAME_MAX = 64;

export function toolName(pluginId: string, exportName: string): string {
  const raw = `${pluginId}__${exportName}`.replace(/[^A-Za-z0-9_-]/g, '_');
  if (raw.length <= NAME_MAX) return raw;
  const tag = createHash('sha256').update(`${pluginId}\0${exportName}`).digest('hex').slice(0, 8);
  return `${raw.slice(0, NAME_MAX - tag.length - 1)}_${tag}`;
}

function describe(entry: LockEntry, exp: ExportSpec): string {
  const what = exp.description?.trim() || `Export "${exp.name}"`;
  return `${what} (Wharf plugin ${entry.id}@${entry.version}, run in the Extism sandbox)`;
}

function schemaFor(exp: ExportSpec): Pick<PluginTool, 'inputSchema' | 'mode'> {
  const s = exp.input_schema;
  if (s && s.type === 'object') return { inputSchema: { ...s, type: 'object' }, mode: 'object' };
  if (!s || s.type === 'string') {
    const input = { type: 'string', description: (s?.description as string | undefined) ?? 'Input text' };
    return { inputSchema: { type: 'object', properties: { input: s ?? input }, required: ['input'] }, mode: 'text' };
  }
  return { inputSchema: { type: 'object', properties: { input: s }, required: ['input'] }, mode: 'json' };
}

function outputFor(exp: ExportSpec): Pick<PluginTool, 'outputSchema' | 'outputMode'> {
  const s = exp.output_schema;
  if (!s) return {};
  if (s.type === 'object') return { outputSchema: { ...s, type: 'object' }, outputMode: 'object' };
  return {
    outputSchema: { type: 'object', properties: { result: s }, required: ['result'] },
    outputMode: s.type === 'string' ? 'text' : 'json',
  };
}

/** Every export of every installed plugin, named `<plugin>__<export>`; a name clash gets a numeric suffix. */
export function toolsFor(entries: LockEntry[]): PluginTool[] {
  const tools: PluginTool[] = [];
  const taken = new Set<string>();
  for (const entry of [...entries].sort((a, b) => a.id.localeCompare(b.id))) {
    for (const exp of entry.exports) {
      let name = toolName(entry.id, exp.name);
      for (let n = 2; taken.has(name); n++) name = `${toolName(entry.id, exp.name).slice(0, NAME_MAX - 4)}_${n}`;
      taken.add(name);
      tools.push({
        name,
        description: describe(entry, exp),
        pluginId: entry.id,
        exportName: exp.name,
        ...schemaFor(exp),
        ...outputFor(exp),
      });
    }
  }
  return tools;
}

/**
 * The structuredContent for a plugin's output, when the tool declares an output schema: the output parsed as JSON, or
 * the text itself for a string schema (under `result` unless the schema is an object one). Undefined when the output
 * is not JSON of that shape; the caller refuses that.
 */
export function structuredOutput(tool: PluginTool, text: string): Record<string, unknown> | undefined {
  if (tool.outputMode === 'text') return { result: text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (tool.outputMode === 'json') return { result: value };
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The plugin's input for a tool call's arguments (already validated against the tool's inputSchema). */
export function toolInput(tool: PluginTool, args: Record<string, unknown> | undefined): string {
  const a = args ?? {};
  if (tool.mode === 'object') return JSON.stringify(a);
  if (tool.mode === 'text')
    return typeof a.input === 'string' ? a.input : a.input === undefined ? '' : JSON.stringify(a.input);
  return JSON.stringify(a.input ?? null);
}
