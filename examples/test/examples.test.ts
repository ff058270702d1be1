// The example plugins, run for real: the built wasm under @extism/extism (in a worker, with a
// timeout, as the client runs plugins), their plugin.json against the module, and their
// signatures against the real minisign CLI. No mocks.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import createPlugin, { type Plugin } from '@extism/extism';
import type { Manifest } from '@wharf/schemas';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..');
const NAMES = ['count-vowels', 'greet', 'word-stats'] as const;
const PUB = join(examples, 'keys/example.pub');

const wasmPath = (name: string) => join(examples, name, 'plugin.wasm');
const manifestOf = (name: string): Manifest => JSON.parse(readFileSync(join(examples, name, 'plugin.json'), 'utf8'));

beforeAll(() => {
  // `npm test` builds first (pretest); a bare `npx vitest run examples` may not have.
  if (NAMES.some((n) => !existsSync(wasmPath(n)) || !existsSync(`${wasmPath(n)}.minisig`))) {
    execFileSync(process.execPath, [join(examples, 'build.mjs')], { stdio: 'inherit' });
  }
});

// Every plugin opened in a test is closed after it, so worker threads never keep vitest alive.
const open: Plugin[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

async function load(name: string, config: Record<string, string> = {}): Promise<Plugin> {
  // A fresh Uint8Array, not the (possibly pooled) Buffer from readFileSync: DESIGN §10.
  const data = new Uint8Array(readFileSync(wasmPath(name)));
  const plugin = await createPlugin(
    { wasm: [{ data }] },
    { useWasi: false, runInWorker: true, timeoutMs: 2000, config },
  );
  open.push(plugin);
  return plugin;
}

async function callText(plugin: Plugin, fn: string, input: string): Promise<string> {
  const out = await plugin.call(fn, input);
  return out === null ? '' : out.text();
}

describe('count-vowels', () => {
  it('counts ASCII vowels in both cases', async () => {
    const p = await load('count-vowels');
    expect(await callText(p, 'count_vowels', 'Hello World')).toBe('{"count":3}');
    expect(await callText(p, 'count_vowels', 'AEIOU aeiou xyz')).toBe('{"count":10}');
  });

  it('handles empty input and multi-digit counts', async () => {
    const p = await load('count-vowels');
    expect(await callText(p, 'count_vowels', '')).toBe('{"count":0}');
    expect(JSON.parse(await callText(p, 'count_vowels', 'a'.repeat(12345)))).toEqual({ count: 12345 });
  });
});

describe('greet', () => {
  it('uses the configured greeting', async () => {
    const p = await load('greet', { greeting: 'Hi' });
    expect(await callText(p, 'greet', 'Wharf')).toBe('Hi, Wharf!');
  });

  it('defaults to Hello and passes UTF-8 through', async () => {
    const p = await load('greet');
    expect(await callText(p, 'greet', 'Wharf')).toBe('Hello, Wharf!');
    expect(await callText(p, 'greet', '码头')).toBe('Hello, 码头!');
  });

  it('reports empty input through error_set', async () => {
    const p = await load('greet');
    await expect(p.call('greet', '')).rejects.toThrow(/input \(a name\) is required/);
  });
});

describe('word-stats (AssemblyScript)', () => {
  it('counts words and code points', async () => {
    const p = await load('word-stats');
    expect(JSON.parse(await callText(p, 'word_stats', 'The quick brown fox'))).toEqual({ words: 4, chars: 19 });
    expect(JSON.parse(await callText(p, 'word_stats', '  héllo\t\nwörld 日本  '))).toEqual({ words: 3, chars: 19 });
    expect(JSON.parse(await callText(p, 'word_stats', ''))).toEqual({ words: 0, chars: 0 });
  });
});

describe.each(NAMES)('%s artifact', (name) => {
  it('plugin.json exports exist as functions; imports are only extism:host/env', () => {
    const manifest = manifestOf(name);
    const mod = new WebAssembly.Module(new Uint8Array(readFileSync(wasmPath(name))));
    const fns = WebAssembly.Module.exports(mod)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name);
    for (const exp of manifest.exports) expect(fns).toContain(exp.name);
    const modules = new Set(WebAssembly.Module.imports(mod).map((i) => i.module));
    expect([...modules]).toEqual(['extism:host/env']);
    // The sample inputs are what smoke runs use; they must be there.
    for (const exp of manifest.exports) expect(typeof exp.sample_input).toBe('string');
  });

  it('sample_input runs without error', async () => {
    const manifest = manifestOf(name);
    const p = await load(name);
    for (const exp of manifest.exports) {
      await expect(p.call(exp.name, exp.sample_input ?? '')).resolves.not.toBeNull();
    }
  });

  it('is signed by the example key with the wharf1 binding, verified by minisign', () => {
    const manifest = manifestOf(name);
    const sha = createHash('sha256')
      .update(readFileSync(wasmPath(name)))
      .digest('hex');
    const out = execFileSync('minisign', ['-V', '-p', PUB, '-m', wasmPath(name)], { encoding: 'utf8' });
    expect(out).toContain('Signature and comment signature verified');
    expect(out).toContain(`Trusted comment: wharf1 id=${manifest.id} version=${manifest.version} sha256=${sha}`);
    expect(manifest.signing_key).toBe(readFileSync(PUB, 'utf8').split('\n')[1].trim());
  });
});
