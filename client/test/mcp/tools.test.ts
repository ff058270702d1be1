import type { LockEntry } from '@wharf/schemas';
import { describe, expect, it } from 'vitest';
import { toolInput, toolName, toolsFor } from '../../src/mcp/tools.js';

// How manifest exports become MCP tools: names clients accept, object input schemas, and the input bytes.

const entry = (id: string, exports: LockEntry['exports']): LockEntry => ({
  id,
  source: 'local',
  version: '1.2.3',
  sha256: '0'.repeat(64),
  size: 1,
  keyid: '',
  index_version: 1,
  path: 'x',
  permissions: {},
  exports,
  installed_at: '2026-01-01T00:00:00Z',
});

describe('toolsFor', () => {
  const object = { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] };
  const tools = toolsFor([
    entry('zeta', [{ name: 'run' }]),
    entry('alpha', [
      { name: 'obj', description: 'Takes an object', input_schema: object },
      { name: 'list', input_schema: { type: 'array', items: { type: 'string' } } },
      { name: 'text', input_schema: { type: 'string', description: 'Some text' } },
    ]),
  ]);
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]));

  it('names tools <plugin>__<export>, sorted by plugin', () => {
    expect(tools.map((t) => t.name)).toEqual(['alpha__obj', 'alpha__list', 'alpha__text', 'zeta__run']);
    expect(byName.alpha__obj?.description).toBe(
      'Takes an object (Wharf plugin alpha@1.2.3, run in the Extism sandbox)',
    );
  });

  it('uses an object input_schema as is and passes the arguments as JSON', () => {
    expect(byName.alpha__obj?.inputSchema).toEqual(object);
    expect(toolInput(byName.alpha__obj as never, { a: 1 })).toBe('{"a":1}');
  });

  it('wraps other schemas as {input}, passing text raw and anything else as JSON', () => {
    expect(byName.zeta__run?.inputSchema).toEqual({
      type: 'object',
      properties: { input: { type: 'string', description: 'Input text' } },
      required: ['input'],
    });
    expect(toolInput(byName.alpha__text as never, { input: 'héllo' })).toBe('héllo');
    expect(byName.alpha__list?.inputSchema.properties).toEqual({ input: { type: 'array', items: { type: 'string' } } });
    expect(toolInput(byName.alpha__list as never, { input: ['a', 'b'] })).toBe('["a","b"]');
  });

  it('keeps names within 64 characters of [A-Za-z0-9_-], unique even after shortening', () => {
    const long = 'a'.repeat(60);
    expect(toolName('my-plugin', 'do.it now')).toBe('my-plugin__do_it_now');
    const t = toolsFor([
      entry(long, [{ name: `${'x'.repeat(20)}1` }, { name: `${'x'.repeat(20)}2` }, { name: 'a.b' }, { name: 'a_b' }]),
    ]);
    for (const x of t) expect(x.name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(new Set(t.map((x) => x.name)).size).toBe(4);
  });
});
