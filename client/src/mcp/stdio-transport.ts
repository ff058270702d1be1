import process from 'node:process';
import type { Readable, Writable } from 'node:stream';
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** What can be read back from a message too large to keep. */
export interface OversizedMessage {
  bytes: number;
  id?: string | number;
  method?: string;
}

export interface CappedStdioOptions {
  /** Longest message line kept; a longer one is dropped and reported to onOversized. */
  maxMessageBytes: number;
  /** Answers a dropped message (the server sends its refusal here); the transport keeps reading. */
  onOversized: (m: OversizedMessage, transport: CappedStdioTransport) => void;
  stdin?: Readable;
  stdout?: Writable;
}

// Kept of a dropped line: the start (where most clients put id and method) and the end (where the TypeScript SDK
// puts id, after params).
const HEAD_BYTES = 64 * 1024;
const TAIL_BYTES = 512;

/**
 * Newline-delimited JSON-RPC over stdio, like the SDK's StdioServerTransport, except for a message over the cap:
 * the SDK's ReadBuffer throws and the transport closes (a 10 MiB default, after which `wharf mcp` exits 0 without a
 * word). Here the line is skipped to its newline, its id recovered, and the server answers it. Lines are kept as
 * chunk lists and joined once, not re-concatenated per chunk as the SDK's buffer does.
 */
export class CappedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly stdin: Readable;
  private readonly stdout: Writable;
  private chunks: Buffer[] = [];
  private size = 0;
  /** Set while skipping an oversized line. */
  private dropped: { head: Buffer; tail: Buffer; bytes: number } | undefined;
  private started = false;

  constructor(private readonly opts: CappedStdioOptions) {
    this.stdin = opts.stdin ?? process.stdin;
    this.stdout = opts.stdout ?? process.stdout;
  }

  private readonly onData = (chunk: Buffer): void => {
    let rest = chunk;
    for (let nl = rest.indexOf(10); nl !== -1; nl = rest.indexOf(10)) {
      this.take(rest.subarray(0, nl));
      this.endLine();
      rest = rest.subarray(nl + 1);
    }
    if (rest.length > 0) this.take(rest);
  };

  private readonly onStreamError = (e: Error): void => this.onerror?.(e);

  private take(part: Buffer): void {
    if (part.length === 0) return;
    if (this.dropped) {
      this.dropped.bytes += part.length;
      this.dropped.tail = Buffer.concat([this.dropped.tail, part]).subarray(-TAIL_BYTES);
      return;
    }
    if (this.size + part.length <= this.opts.maxMessageBytes) {
      this.chunks.push(Buffer.from(part)); // a copy: the stream may reuse its buffer
      this.size += part.length;
      return;
    }
    const all = Buffer.concat([...this.chunks, part]);
    this.dropped = { head: all.subarray(0, HEAD_BYTES), tail: all.subarray(-TAIL_BYTES), bytes: all.length };
    this.chunks = [];
    this.size = 0;
  }

  private endLine(): void {
    if (this.dropped) {
      const d = this.dropped;
      this.dropped = undefined;
      this.opts.onOversized(recoverEnvelope(d.head.toString('utf8'), d.tail.toString('utf8'), d.bytes), this);
      return;
    }
    const line = Buffer.concat(this.chunks).toString('utf8').replace(/\r$/, '');
    this.chunks = [];
    this.size = 0;
    if (line.trim() === '') return;
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch (e) {
      this.onerror?.(e as Error); // as the SDK transport does: a bad line is reported and skipped
      return;
    }
    this.onmessage?.(message);
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('CappedStdioTransport already started');
    this.started = true;
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onStreamError);
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.stdout.write(serializeMessage(message))) resolve();
      else this.stdout.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onStreamError);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.chunks = [];
    this.dropped = undefined;
    this.onclose?.();
  }
}

const ID = String.raw`(-?\d{1,15}|"(?:[^"\\]|\\.){0,256}")`;

/**
 * The id and method of a JSON-RPC message from its first and last bytes: top-level keys before the first nested
 * value are read from the head; an id that ends the object (`…,"id":7}`, as the TypeScript SDK writes it) from the
 * tail. Only a value that can be parsed whole is taken.
 */
export function recoverEnvelope(head: string, tail: string, bytes: number): OversizedMessage {
  const out: OversizedMessage = { bytes };
  const parse = (v: string | undefined): string | number | undefined => {
    if (v === undefined) return undefined;
    try {
      const x = JSON.parse(v) as unknown;
      return typeof x === 'string' || typeof x === 'number' ? x : undefined;
    } catch {
      return undefined;
    }
  };
  // Top-level `"key": primitive` pairs, until the first key holding an object or array (params).
  const pair = new RegExp(String.raw`^\s*[{,]\s*"(id|method|jsonrpc)"\s*:\s*${ID}`);
  let rest = head;
  for (let m = pair.exec(rest); m; m = pair.exec(rest)) {
    const value = parse(m[2]);
    if (m[1] === 'id' && value !== undefined) out.id = value;
    if (m[1] === 'method' && typeof value === 'string') out.method = value;
    rest = rest.slice(m[0].length);
  }
  if (out.id === undefined) {
    const last = new RegExp(String.raw`[,{]\s*"id"\s*:\s*${ID}\s*\}\s*$`).exec(tail);
    const value = parse(last?.[1]);
    if (value !== undefined) out.id = value;
  }
  return out;
}
