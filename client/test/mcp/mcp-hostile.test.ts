import { rmSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, WHARF } from '../../../test/helpers/demo.js';
import { type LocalRegistry, localRegistry, manifestFor } from '../../../test/host/local-registry.js';
import { WharfClient } from '../../src/client.js';
import { HOSTILE_WAT, wat } from '../run/wat-plugins.js';

// A misbehaving plugin, signed, published and installed like any other, then driven through the real `wharf run`
// and `wharf mcp` binaries: every failure comes back with its code and the server keeps answering.

const textOf = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');

describe('a hostile plugin behind wharf run and wharf mcp', () => {
  let reg: LocalRegistry;
  let home: string;
  let client: Client;

  beforeAll(async () => {
    reg = await localRegistry();
    const m = manifestFor('hostile', '1.0.0', 'echo', {
      timeout_ms: 1_000,
      memory_max_pages: 32,
      // The module imports http_request (its fetch export): admission, like the scanner, wants declared hosts.
      allowed_hosts: ['127.0.0.1'],
      justifications: {
        timeout_ms: 'tests the timeout',
        memory_max_pages: 'tests the memory cap',
        allowed_hosts: 'its fetch export',
      },
    });
    m.exports = [
      {
        name: 'echo',
        description: 'Echo the input',
        input_schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      },
      { name: 'spin', description: 'Loop forever' },
      { name: 'bomb', description: 'Grow memory until refused' },
      { name: 'grow_until_refused', description: 'Report the pages reached' },
    ];
    await reg.publish(m, await wat(HOSTILE_WAT));
    home = tempDir('mcp-hostile');
    const c = new WharfClient({ home });
    await c.addSource({ alias: 'local', url: reg.url, rootSha256: reg.rootSha256 });
    await c.refresh();
    expect((await c.install('hostile')).status).toBe('installed');
    client = new Client({ name: 'wharf-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [WHARF, '--home', home, 'mcp'], stderr: 'pipe' }),
    );
  });

  afterAll(async () => {
    await client?.close();
    await reg?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('wharf run prints the code and exits 1', async () => {
    const r = await runCli(WHARF, ['--home', home, 'run', 'hostile', 'spin']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/E_PLUGIN_TIMEOUT/);
  });

  it('an object input_schema is the tool schema and the arguments reach the plugin as JSON', async () => {
    const { tools } = await client.listTools();
    expect(tools.find((t) => t.name === 'hostile__echo')?.inputSchema).toMatchObject({
      type: 'object',
      required: ['text'],
    });
    const r = (await client.callTool({ name: 'hostile__echo', arguments: { text: 'hi' } })) as CallToolResult;
    expect(JSON.parse(textOf(r))).toEqual({ text: 'hi' });
  });

  it('timeouts, memory bombs and the cap come back as tool errors, and the next call works', async () => {
    const call = async (name: string, args: Record<string, unknown> = { input: '' }) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult;
    const spin = await call('hostile__spin');
    expect(spin.isError).toBe(true);
    expect(textOf(spin)).toMatch(/^E_PLUGIN_TIMEOUT: /);
    expect(textOf(await call('hostile__echo', { text: 'after spin' }))).toBe('{"text":"after spin"}');
    expect(textOf(await call('hostile__grow_until_refused'))).toBe('32');
    const bomb = await call('hostile__bomb');
    expect(textOf(bomb)).toMatch(/^E_PLUGIN_TRAP: /);
    expect(textOf(await call('hostile__echo', { text: 'still here' }))).toBe('{"text":"still here"}');
  });
});
