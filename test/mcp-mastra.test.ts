import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WharfClient } from '../client/src/client.js';
import { type ServedDemo, serveDemo, tempDir, WHARF } from './helpers/demo.js';

// `wharf mcp` as Mastra meets it: @mastra/mcp's own MCPClient spawns the real binary over stdio, lists the Wharf
// tools and executes one, against a home where real signed plugins were installed from a registry on 127.0.0.1.
// @mastra/mcp 2.x needs Node >= 22.13; .ci/other-nodes runs this file on Node 22 and 24.

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const supported = major > 22 || (major === 22 && minor >= 13);
const SKIP_REASON = `@mastra/mcp needs Node >= 22.13, this is Node ${process.versions.node}; .ci/other-nodes runs it on Node 22 and 24`;

describe.skipIf(!supported)('wharf mcp with Mastra MCPClient', () => {
  let demo: ServedDemo;
  let home: string;
  // Typed loosely: the package is only imported on a Node that can load it.
  let mcp: { listTools(): Promise<Record<string, MastraTool>>; disconnect(): Promise<void> };
  type MastraTool = {
    id: string;
    description?: string;
    execute?: (input: unknown, context?: unknown) => Promise<unknown>;
  };

  beforeAll(async () => {
    demo = await serveDemo(['count-vowels', 'greet']);
    home = tempDir('mastra-home');
    const c = new WharfClient({ home });
    await c.addSource({ alias: 'local', url: demo.server.url, rootSha256: demo.reg.rootSha256 });
    await c.refresh();
    for (const id of ['count-vowels', 'greet']) expect((await c.install(id)).status).toBe('installed');
    // Not in the lockfile (it needs Node >= 22.13): .ci/other-nodes links it in, so the name stays a string here.
    const mastraMcp = '@mastra/mcp';
    const { MCPClient } = (await import(mastraMcp)) as { MCPClient: new (o: unknown) => unknown };
    mcp = new MCPClient({
      id: `wharf-${process.pid}`,
      servers: {
        wharf: { command: process.execPath, args: [WHARF, '--home', home, 'mcp', '--config', 'greet.greeting=Ahoy'] },
      },
    }) as unknown as typeof mcp;
  });

  afterAll(async () => {
    await mcp?.disconnect();
    await demo?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('lists the Wharf tools under the server name', async () => {
    const tools = await mcp.listTools();
    expect(Object.keys(tools).sort()).toEqual(['wharf_count-vowels__count_vowels', 'wharf_greet__greet']);
    expect(tools['wharf_count-vowels__count_vowels']?.description).toMatch(/Count ASCII vowels.*count-vowels@0\.1\.0/);
  });

  it('executes a tool: the real WASM runs in the sandbox', async () => {
    const tools = await mcp.listTools();
    const cv = tools['wharf_count-vowels__count_vowels'];
    expect(cv?.execute).toBeTypeOf('function');
    const out = await cv?.execute?.({ input: 'Hello World' }, {});
    // count-vowels declares an output_schema: Mastra hands back the structuredContent, checked against it.
    expect(out).toEqual({ count: 3 });
    // greet's is a string schema: the text, wrapped as {result} since MCP output schemas are objects.
    expect(await tools.wharf_greet__greet?.execute?.({ input: 'Mastra' }, {})).toEqual({ result: 'Ahoy, Mastra!' });
  });
});

// On an older Node the suite above is skipped; this says why in the report.
if (!supported) describe('wharf mcp with Mastra MCPClient', () => it.skip(SKIP_REASON, () => {}));
