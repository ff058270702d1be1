import { PassThrough } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { CappedStdioTransport, type OversizedMessage, recoverEnvelope } from '../../src/mcp/stdio-transport.js';

// The transport under `wharf mcp`: a line over the cap is skipped to its newline and answered, never a reason to
// close; what can be read of its id and method comes from its first and last bytes.

describe('recoverEnvelope', () => {
  const big = 'x'.repeat(100);
  it('reads the id the TypeScript SDK writes last, and the method it writes first', () => {
    const line = `{"method":"tools/call","params":{"name":"t","arguments":{"input":"${big}"}},"jsonrpc":"2.0","id":7}`;
    expect(recoverEnvelope(line.slice(0, 60), line.slice(-40), line.length)).toEqual({
      bytes: line.length,
      id: 7,
      method: 'tools/call',
    });
  });

  it('reads an id written first (as Python clients do), string ids included', () => {
    const line = `{"jsonrpc":"2.0","id":"req-\\"1","method":"tools/call","params":{"arguments":{"input":"${big}"}}}`;
    expect(recoverEnvelope(line.slice(0, 70), line.slice(-20), line.length)).toMatchObject({
      id: 'req-"1',
      method: 'tools/call',
    });
  });

  it('does not take an id from inside params or a string', () => {
    const nested = `{"method":"tools/call","params":{"arguments":{"id":5}}}`;
    expect(recoverEnvelope(nested, nested, nested.length).id).toBeUndefined();
    const inString = `{"method":"tools/call","params":{"arguments":{"input":"a,\\"id\\":5}"}}}`;
    expect(recoverEnvelope(inString, inString, inString.length).id).toBeUndefined();
  });
});

describe('CappedStdioTransport', () => {
  it('answers an oversized line and goes on reading the next message', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const dropped: OversizedMessage[] = [];
    const got: JSONRPCMessage[] = [];
    const t = new CappedStdioTransport({ maxMessageBytes: 1024, onOversized: (m) => dropped.push(m), stdin, stdout });
    let closed = false;
    t.onclose = () => (closed = true);
    const second = new Promise<void>((resolve) => {
      t.onmessage = (m) => {
        got.push(m);
        resolve();
      };
    });
    await t.start();
    const huge = `{"method":"tools/call","params":{"arguments":{"input":"${'y'.repeat(5000)}"}},"jsonrpc":"2.0","id":1}`;
    // In pieces, the newline inside the last one, with the next message behind it.
    stdin.write(huge.slice(0, 700));
    stdin.write(huge.slice(700, 3000));
    stdin.write(`${huge.slice(3000)}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n`);
    await second;
    expect(dropped).toEqual([{ bytes: huge.length, id: 1, method: 'tools/call' }]);
    expect(got).toEqual([{ jsonrpc: '2.0', id: 2, method: 'ping' }]);
    expect(closed).toBe(false);
    await t.close();
  });
});
