import { WharfError } from '@wharf/schemas';
import type { Command } from 'commander';
import { WharfClient } from '../client.js';
import { DEFAULT_LIMITS } from '../index/http-fetch.js';
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

/** What every command module gets: the parsed global options, a client built from them, and the output writer. */
export interface CliContext {
  g(): GlobalOpts;
  client(): WharfClient;
  out(): Output;
}

export function makeContext(program: Command): CliContext {
  const g = () => program.opts<GlobalOpts>();
  return {
    g,
    client: () => clientFor(g()),
    out: () => new Output(Boolean(g().json)),
  };
}

export function clientFor(g: GlobalOpts): WharfClient {
  const t = g.timeout ? Number(g.timeout) : undefined;
  if (t !== undefined && !(t > 0)) throw new WharfError('E_USAGE', `--timeout takes milliseconds, got "${g.timeout}".`);
  const limits = t ? { ...DEFAULT_LIMITS, headersTimeoutMs: t, stallTimeoutMs: t } : undefined;
  return new WharfClient({ home: g.home, limits, offline: g.offline });
}
