import { rmSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { type CallToolResult, ErrorCode, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, WHARF } from '../../../test/helpers/demo.js';
import { snapshotDir, tempLeftovers } from '../../../test/helpers/snapshot-dir.js';
import { type LocalRegistry, localRegistry, manifestFor } from '../../../test/host/local-registry.js';
import { WharfClient } from '../../src/client.js';
import { DEFAULT_POLICY } from '../../src/run/sandbox.js';
import { probeManifest, probeWasm } from './probe-plugin.js';

// `wharf mcp` against the MCP spec (2025-11-25), driven by the SDK's own Client over stdio: arguments checked
// against the advertised inputSchema, outputSchema with structuredContent, notifications/tools/list_changed on
// install and uninstall, and arguments beyond the SDK's 10 MiB stdio buffer.

const textOf = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
const MiB = 1024 * 1024;

let reg: LocalRegistry;
const homes: string[] = [];

async function homeWithProbe(): Promise<{ home: string; wharf: WharfClient }> {
  const home = tempDir('mcp-spec');
  homes.push(home);
  const wharf = new WharfClient({ home });
  await wharf.addSource({ alias: 'local', url: reg.url, rootSha256: reg.rootSha256 });
  await wharf.refresh();
  expect((await wharf.install('probe')).status).toBe('installed');
  return { home, wharf };
}

async function connect(home: string, onToolsChanged?: (tools: Tool[]) => void) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [WHARF, '--home', home, 'mcp'],
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client(
    { name: 'wharf-spec-test', version: '1.0.0' },
    onToolsChanged
      ? { listChanged: { tools: { onChanged: (err, tools) => (err ? undefined : onToolsChanged(tools ?? [])) } } }
      : {},
  );
  let closed = false;
  transport.onclose = () => (closed = true); // connect() chains the client's handler after this one
  await client.connect(transport);
  return { client, transport, stderr: () => stderr, closed: () => closed };
}

beforeAll(async () => {
  reg = await localRegistry();
  await reg.publish(probeManifest(), await probeWasm());
  // A second plugin to install while a server runs.
  const late = manifestFor('late', '1.0.0', 'size');
  late.exports = [{ name: 'size', description: 'Byte length of the input' }];
  await reg.publish(late, await probeWasm());
});

afterAll(async () => {
  await reg?.close();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

describe('arguments, output and errors', () => {
  let client: Client;
  let home: string;
  let before: Record<string, string>;
  beforeAll(async () => {
    ({ home } = await homeWithProbe());
    before = snapshotDir(home);
    ({ client } = await connect(home));
  });
  afterAll(async () => {
    await client?.close();
    // Refusals change nothing in the home and leave no temp files.
    expect(snapshotDir(home)).toEqual(before);
    expect(tempLeftovers(home)).toEqual([]);
  });

  const call = async (name: string, args?: Record<string, unknown>) =>
    (await client.callTool({ name, ...(args === undefined ? {} : { arguments: args }) })) as CallToolResult;

  it('refuses arguments that do not match the inputSchema, before the plugin runs, as tool errors', async () => {
    const refused: [string, Record<string, unknown> | undefined, RegExp][] = [
      ['probe__size', { input: 12345 }, /input must be string/],
      ['probe__size', { input: { a: 1 } }, /input must be string/],
      ['probe__size', {}, /must have required property 'input'/],
      ['probe__size', undefined, /must have required property 'input'/],
      ['probe__echo_obj', { n: 1 }, /must have required property 'text'/],
      ['probe__echo_obj', { text: 'x', n: 1.5 }, /n must be integer/],
      ['probe__echo_list', { input: [1, 'two'] }, /input\/1 must be integer/],
    ];
    for (const [name, args, why] of refused) {
      const r = await call(name, args);
      expect(r.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
      expect(textOf(r)).toMatch(new RegExp(`^E_SCHEMA: The arguments do not match the inputSchema of ${name}: `));
      expect(textOf(r)).toMatch(why);
    }
    // Matching arguments still run.
    expect(textOf(await call('probe__size', { input: 'héllo' }))).toBe('6');
  });

  it('answers an unknown tool with JSON-RPC -32602, not a tool result', async () => {
    const e = await call('nope__nope', {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(McpError);
    expect(e).toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringMatching(/Unknown tool: nope__nope/),
    });
    expect(textOf(await call('probe__size', { input: 'ok' }))).toBe('2');
  });

  it('advertises a declared output_schema as outputSchema and returns structuredContent', async () => {
    const { tools } = await client.listTools();
    const by = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(by.probe__echo_obj?.outputSchema).toEqual({
      type: 'object',
      properties: { text: { type: 'string' } },
      required: ['text'],
    });
    // MCP wants an object: any other schema is wrapped as {result}.
    expect(by.probe__echo_list?.outputSchema).toEqual({
      type: 'object',
      properties: { result: { type: 'array', items: { type: 'integer' } } },
      required: ['result'],
    });
    expect(by.probe__size?.outputSchema).toBeUndefined();

    // The SDK Client checks structuredContent against outputSchema itself, so these also pass its validation.
    const obj = await call('probe__echo_obj', { text: 'hi', n: 2 });
    expect(obj.structuredContent).toEqual({ text: 'hi', n: 2 });
    expect(JSON.parse(textOf(obj))).toEqual({ text: 'hi', n: 2 });
    expect((await call('probe__echo_list', { input: [1, 2] })).structuredContent).toEqual({ result: [1, 2] });
    // A string output_schema: the raw text, as with a string input_schema.
    expect((await call('probe__echo_text', { input: 'plain' })).structuredContent).toEqual({ result: 'plain' });
  });

  it('refuses output that breaks the declared output_schema as E_PLUGIN_FAILED', async () => {
    const notJson = await call('probe__bad_out', { input: 'hello' });
    expect(notJson.isError).toBe(true);
    expect(notJson.structuredContent).toBeUndefined();
    expect(textOf(notJson)).toMatch(/^E_PLUGIN_FAILED: probe returned output that does not match the output_schema/);
    const wrongShape = await call('probe__bad_out', { input: '{"count":"three"}' });
    expect(textOf(wrongShape)).toMatch(/^E_PLUGIN_FAILED: .*count must be integer/);
    const tooLong = await call('probe__echo_text', { input: 'more than ten' });
    expect(textOf(tooLong)).toMatch(/^E_PLUGIN_FAILED: .*result must NOT have more than 10 characters/);
    expect((await call('probe__bad_out', { input: '{"count":3}' })).structuredContent).toEqual({ count: 3 });
  });
});

describe('arguments beyond the SDK stdio buffer', () => {
  let conn: Awaited<ReturnType<typeof connect>>;
  let home: string;
  let before: Record<string, string>;
  beforeAll(async () => {
    ({ home } = await homeWithProbe());
    before = snapshotDir(home);
    conn = await connect(home);
  });
  afterAll(async () => {
    await conn?.client.close();
    expect(snapshotDir(home)).toEqual(before);
    expect(tempLeftovers(home)).toEqual([]);
  });
  const call = async (input: string) =>
    (await conn.client.callTool({ name: 'probe__size', arguments: { input } })) as CallToolResult;

  it('runs a 12 MiB argument (the SDK transport gave up at 10 MiB and the server exited 0)', async () => {
    expect(textOf(await call('a'.repeat(12 * MiB)))).toBe(String(12 * MiB));
    expect(conn.closed()).toBe(false);
  });

  it('refuses an argument over the sandbox cap with E_TOO_LARGE, within and beyond the transport limit, and keeps serving', async () => {
    const cap = DEFAULT_POLICY.maxInputBytes as number;
    const overSandbox = await call('a'.repeat(cap + 1));
    expect(overSandbox.isError).toBe(true);
    expect(textOf(overSandbox)).toMatch(/^E_TOO_LARGE: The input is 16777217 bytes; the input cap is 16777216 bytes/);

    const overTransport = await call('a'.repeat(20 * MiB));
    expect(overTransport.isError).toBe(true);
    expect(textOf(overTransport)).toMatch(
      /^E_TOO_LARGE: The request is \d+ bytes; wharf mcp reads requests of at most/,
    );

    expect(textOf(await call('still here'))).toBe('10');
    expect(conn.closed()).toBe(false);
    expect(conn.stderr()).toBe('');
  });
});

describe('the tool list follows installs and uninstalls', () => {
  it('advertises tools.listChanged and sends notifications/tools/list_changed', async () => {
    const { home, wharf } = await homeWithProbe();
    const changes: Tool[][] = [];
    const waiters: (() => void)[] = [];
    const nextChange = () => new Promise<void>((resolve) => waiters.push(resolve));
    const conn = await connect(home, (tools) => {
      changes.push(tools);
      waiters.shift()?.();
    });
    try {
      expect(conn.client.getServerCapabilities()?.tools?.listChanged).toBe(true);
      const names = (tools: Tool[]) => tools.map((t) => t.name).sort();
      expect(names((await conn.client.listTools()).tools)).not.toContain('late__size');

      let changed = nextChange();
      expect((await wharf.install('late')).status).toBe('installed');
      await changed;
      expect(names(changes.at(-1) ?? [])).toContain('late__size');
      const r = (await conn.client.callTool({ name: 'late__size', arguments: { input: 'abc' } })) as CallToolResult;
      expect(textOf(r)).toBe('3');

      changed = nextChange();
      wharf.uninstall('probe');
      await changed;
      expect(names(changes.at(-1) ?? [])).toEqual(['late__size']);
    } finally {
      await conn.client.close();
    }
  });
});
