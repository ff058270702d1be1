import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { type CallToolResult, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { Lockfile } from '@wharf/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedDemo, serveDemo, tempDir, WHARF } from '../../../test/helpers/demo.js';
import { WharfClient } from '../../src/client.js';

// `wharf mcp` as an agent framework meets it: the MCP SDK's own Client spawns the real binary over stdio, against a
// home where real signed plugins were installed from a registry served on 127.0.0.1.

const textOf = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');

describe('wharf mcp over stdio', () => {
  let demo: ServedDemo;
  let home: string;
  let client: Client;
  let stderr = '';

  beforeAll(async () => {
    demo = await serveDemo(['count-vowels', 'greet']);
    home = tempDir('mcp-home');
    // Installed in process through the library (the CLI install path has its own e2e test).
    const c = new WharfClient({ home });
    await c.addSource({ alias: 'local', url: demo.server.url, rootSha256: demo.reg.rootSha256 });
    await c.refresh();
    for (const id of ['count-vowels', 'greet']) expect((await c.install(id)).status).toBe('installed');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [WHARF, '--home', home, 'mcp', '--config', 'greet.greeting=Ahoy'],
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d) => (stderr += d));
    client = new Client({ name: 'wharf-test', version: '1.0.0' });
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
    await demo?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('lists every export of the installed plugins as a tool', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['count-vowels__count_vowels', 'greet__greet']);
    const cv = tools.find((t) => t.name === 'count-vowels__count_vowels');
    expect(cv?.description).toMatch(/Count ASCII vowels.*count-vowels@0\.1\.0/);
    // A string input_schema is wrapped as {input: <schema>}, since MCP tool inputs are objects.
    expect(cv?.inputSchema).toEqual({
      type: 'object',
      properties: { input: { type: 'string', description: 'UTF-8 text' } },
      required: ['input'],
    });
  });

  it('tools/call runs the real WASM in the sandbox', async () => {
    const r = (await client.callTool({
      name: 'count-vowels__count_vowels',
      arguments: { input: 'Hello World' },
    })) as CallToolResult;
    expect(r.isError ?? false).toBe(false);
    expect(JSON.parse(textOf(r))).toEqual({ count: 3 });
    // The sandbox stays open between calls.
    const again = (await client.callTool({
      name: 'count-vowels__count_vowels',
      arguments: { input: 'aeiou' },
    })) as CallToolResult;
    expect(JSON.parse(textOf(again))).toEqual({ count: 5 });
  });

  it('passes declared config from the command line', async () => {
    const r = (await client.callTool({ name: 'greet__greet', arguments: { input: 'Wharf' } })) as CallToolResult;
    expect(textOf(r)).toBe('Ahoy, Wharf!');
  });

  it('returns refusals as tool errors with their E_ code, an unknown tool as -32602, and keeps serving', async () => {
    // greet's input_schema has minLength 1: the empty name is refused before the sandbox.
    const r = (await client.callTool({ name: 'greet__greet', arguments: { input: '' } })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^E_SCHEMA: The arguments do not match the inputSchema of greet__greet: .*fewer than 1/);
    // MCP spec 2025-11-25: an unknown tool is a protocol error (JSON-RPC -32602), not a tool result.
    const unknown = await client.callTool({ name: 'nope__nope', arguments: {} }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(McpError);
    expect(unknown).toMatchObject({ code: ErrorCode.InvalidParams, message: expect.stringMatching(/nope__nope/) });
    const ok = (await client.callTool({ name: 'greet__greet', arguments: { input: 'again' } })) as CallToolResult;
    expect(textOf(ok)).toBe('Ahoy, again!');
  });

  it('refuses to run bytes that no longer match the lockfile', async () => {
    // Tamper with count-vowels on disk while the server runs; a server that re-opens it must refuse.
    const lock = JSON.parse(readFileSync(join(home, 'wharf.lock.json'), 'utf8')) as Lockfile;
    const entry = lock.plugins['count-vowels'];
    expect(entry).toBeDefined();
    const wasmPath = join(home, entry?.path ?? '');
    const bytes = readFileSync(wasmPath);
    writeFileSync(wasmPath, Buffer.concat([bytes, Buffer.from([0])]));
    const fresh = new Client({ name: 'wharf-test-2', version: '1.0.0' });
    await fresh.connect(
      new StdioClientTransport({ command: process.execPath, args: [WHARF, '--home', home, 'mcp'], stderr: 'pipe' }),
    );
    try {
      const r = (await fresh.callTool({
        name: 'count-vowels__count_vowels',
        arguments: { input: 'x' },
      })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/^E_LOCK_MISMATCH: /);
    } finally {
      await fresh.close();
      writeFileSync(wasmPath, bytes);
    }
    expect(stderr).toBe('');
  });
});
