// What serving a plugin export as an MCP tool costs per call: tools/call through createWharfMcp (in process, the
// SDK's in-memory transport) and through a real `wharf mcp` child over stdio, against a bare openSandbox().call on
// the same bytes, measured in the same run (rounds alternate which goes first).
// Run: npx tsc -b && npm run bench:mcp   (CALLS=… ROUNDS=… to change the sample)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { report } from '../report.mjs';

process.emitWarning = () => {}; // @extism/extism's WASI ExperimentalWarning is noise here
const { createWharfMcp, homePaths, openSandbox, WharfClient } = await import('@wharf/client');
const { serveDemoRegistry } = await import('@wharf/tools');
const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js');

const CALLS = Number(process.env.CALLS ?? 300);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const repo = resolve(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'wharf-bench-mcp-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const input = 'The quick brown fox jumps over the lazy dog';

try {
  const demo = await serveDemoRegistry({ examplesDir: join(repo, 'examples'), root, only: ['count-vowels'] });
  const home = join(root, 'home');
  const c = new WharfClient({ home });
  await c.addSource({ alias: 'local', url: demo.server.url, rootSha256: demo.reg.rootSha256 });
  await c.refresh();
  await c.install('count-vowels');
  await demo.server.close();

  const manifest = JSON.parse(readFileSync(join(repo, 'examples/count-vowels/plugin.json'), 'utf8'));
  const bare = await openSandbox({
    id: 'count-vowels',
    wasm: new Uint8Array(readFileSync(join(repo, 'examples/count-vowels/plugin.wasm'))),
    permissions: manifest.permissions,
    exports: manifest.exports,
  });

  const mcp = createWharfMcp(homePaths(home));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await mcp.server.connect(serverSide);
  const inMemory = new Client({ name: 'wharf-bench', version: '1.0.0' });
  await inMemory.connect(clientSide);

  const stdio = new Client({ name: 'wharf-bench', version: '1.0.0' });
  await stdio.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [join(repo, 'client', 'bin', 'wharf.cjs'), '--home', home, 'mcp'],
      stderr: 'ignore',
    }),
  );
  const [tool] = (await inMemory.listTools()).tools;
  const args = { name: tool.name, arguments: { input } };
  const expected = Buffer.from(await bare.call('count_vowels', input)).toString();
  for (const cl of [inMemory, stdio]) {
    const r = await cl.callTool(args);
    if (r.isError || r.content[0]?.text !== expected) throw new Error(`tools/call answered ${JSON.stringify(r)}`);
  }

  const time = async (call) => {
    const t = performance.now();
    for (let i = 0; i < CALLS; i++) await call();
    return (performance.now() - t) / CALLS;
  };
  const kinds = {
    bare: () => bare.call('count_vowels', input),
    inMemory: () => inMemory.callTool(args),
    stdio: () => stdio.callTool(args),
  };
  for (const f of Object.values(kinds)) await time(f); // warm
  const samples = { bare: [], inMemory: [], stdio: [] };
  const order = Object.keys(kinds);
  for (let r = 0; r < ROUNDS; r++) {
    const turn = r % 2 ? [...order].reverse() : order;
    for (const k of turn) samples[k].push(await time(kinds[k]));
  }
  const b = median(samples.bare);
  const m = median(samples.inMemory);
  const s = median(samples.stdio);
  const us = (ms) => `${(ms * 1000).toFixed(1)} µs/call`;
  console.log(`calls per sample ${CALLS}, rounds ${ROUNDS}`);
  console.log(`openSandbox().call (floor)          median ${us(b)}`);
  console.log(`MCP tools/call, in-memory transport median ${us(m)}   ratio ${(m / b).toFixed(2)}×`);
  console.log(`MCP tools/call, \`wharf mcp\` stdio   median ${us(s)}   ratio ${(s / b).toFixed(2)}×`);
  report('mcp', [
    { what: 'MCP tools/call (in-memory transport)', ms: m, floor: 'openSandbox().call', floorMs: b },
    { what: 'MCP tools/call (`wharf mcp` over stdio)', ms: s, floor: 'openSandbox().call', floorMs: b },
  ]);
  await inMemory.close();
  await stdio.close();
  await mcp.close();
  await bare.close();
} finally {
  rmSync(root, { recursive: true, force: true });
}
