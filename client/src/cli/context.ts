import { readFileSync } from 'node:fs';
import { WharfError } from '@wharf/schemas';
import type { Command } from 'commander';
import type { WharfClient } from '../client.js';
import { DEFAULT_LIMITS } from '../index/fetch-limits.js';
import { Output } from './output.js';

export interface GlobalOpts {
  home?: string;
  source?: string[];
  json?: boolean;
  offline?: boolean;
  yes?: boolean;
  timeout?: string;
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * Commands that read the catalog say so when there is nothing to read, instead of "no plugins found". Returns the
 * sources config it read, for the caller to reuse (a read of sources.json is a read of the file at least).
 */
export function requireSource(c: WharfClient): ReturnType<WharfClient['sources']> {
  const cfg = c.sources();
  if (cfg.sources.length === 0)
    throw new WharfError(
      'E_SOURCE_UNKNOWN',
      `No source is configured in ${c.home.root}. Add one with \`wharf source add <alias> <url> --root-sha256 <hex>\` (the registry's maintainers publish the URL and fingerprint), then run \`wharf refresh\`.`,
    );
  return cfg;
}

/** `--input @file`: the file's bytes, or a refusal naming the option and the file. */
export function readInputFile(spec: string): Buffer {
  const file = spec.slice(1);
  try {
    return readFileSync(file);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (e as Error).message;
    throw new WharfError('E_USAGE', `--input ${spec}: cannot read ${file}: ${why}.`);
  }
}

/** What every command module gets: the parsed global options, a client built from them, and the output writer. */
export interface CliContext {
  g(): GlobalOpts;
  client(): WharfClient;
  out(): Output;
}

// The client library (and with it the index, install and sandbox code) is loaded only once a command's action is
// about to run, so `--version`, `--help` and usage errors load none of it.
let Client: typeof WharfClient | undefined;

async function loadLibrary(): Promise<void> {
  Client ??= (await import('../client.js')).WharfClient;
}

export function makeContext(program: Command): CliContext {
  const g = () => program.opts<GlobalOpts>();
  program.hook('preAction', loadLibrary);
  return {
    g,
    client: () => clientFor(g()),
    out: () => new Output(Boolean(g().json)),
  };
}

/** A client for these options; only inside a command's action (the library is loaded just before it runs). */
export function clientFor(g: GlobalOpts): WharfClient {
  const t = g.timeout ? Number(g.timeout) : undefined;
  if (t !== undefined && !(t > 0)) throw new WharfError('E_USAGE', `--timeout takes milliseconds, got "${g.timeout}".`);
  if (!Client) throw new Error('the client library is loaded before a command action runs (preAction hook)');
  const limits = t ? { ...DEFAULT_LIMITS, headersTimeoutMs: t, stallTimeoutMs: t } : undefined;
  // A command that only reads leaves what crashed runs left to the next one that writes (under the home lock).
  return new Client({ home: g.home, limits, offline: g.offline, sweep: 'first-lock' });
}
