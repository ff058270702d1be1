import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recoverEnvelope } from '../../client/src/mcp/stdio-transport.js';
import { FUZZ_RUNS, fuzz } from './only-wharf-errors.js';

// recoverEnvelope reads the first and last bytes of a message too large to keep, sent by whoever drives stdin:
// it never throws, and on messages shaped like the SDK's it finds the id wherever the client put it.

describe('recoverEnvelope', () => {
  it('never throws on arbitrary heads and tails', () => {
    fuzz(fc.tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })), ([head, tail]) =>
      recoverEnvelope(head, tail, head.length + tail.length),
    );
  });

  it('finds the id of a real request, id first or last, cut anywhere inside params', () => {
    const id = fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.string({ maxLength: 40 }));
    fc.assert(
      fc.property(id, fc.boolean(), fc.json(), fc.nat(), (id, idFirst, args, cut) => {
        const params = { name: 't', arguments: { input: JSON.parse(args) as unknown } };
        const msg = idFirst
          ? { jsonrpc: '2.0', id, method: 'tools/call', params }
          : { method: 'tools/call', params, jsonrpc: '2.0', id };
        const line = JSON.stringify(msg);
        // The head keeps at least the envelope before params; the tail at least what follows it.
        const envelope = line.indexOf('"params"');
        const headLen = envelope + (cut % Math.max(1, line.length - envelope));
        const after = idFirst ? line.length - 1 : line.lastIndexOf(',"jsonrpc":"2.0","id":');
        const tailLen = line.length - after + (cut % 5);
        const r = recoverEnvelope(line.slice(0, headLen), line.slice(-tailLen), line.length);
        expect(r.id).toEqual(id);
        expect(r.method).toBe('tools/call');
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
