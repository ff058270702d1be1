import { fstatSync, statSync, writeSync } from 'node:fs';

// Output straight to fds 1 and 2. Creating process.stdout or process.stderr loads Node's stream machinery, ~3 ms
// of a 55 ms start that `node -e 0` never pays; a write(2) to the descriptor is what that stream does anyway for a
// file, and on Linux for a pipe or terminal too. If a descriptor is non-blocking (EAGAIN), that fd's output goes to
// the stream from then on, which queues it, so the order is kept.

const viaStream = { 1: false, 2: false };

/** Write to stdout (1) or stderr (2); a closed pipe (EPIPE) ends the process quietly, as Unix tools do. */
export function writeFd(fd: 1 | 2, data: string | Uint8Array): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  let off = 0;
  while (!viaStream[fd] && off < buf.byteLength) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') closedPipe();
      if (code !== 'EAGAIN') throw e;
      viaStream[fd] = true;
    }
  }
  if (off < buf.byteLength) (fd === 1 ? process.stdout : process.stderr).write(buf.subarray(off));
}

/**
 * False when fd is surely no terminal (a file, a pipe, /dev/null), without creating its stream to ask isTTY. /dev/null
 * is a character device too, where cron jobs and benchmarks (hyperfine's default) send output.
 */
export function mayBeTerminal(fd: 0 | 1 | 2): boolean {
  try {
    const st = fstatSync(fd);
    return st.isCharacterDevice() && st.rdev !== devNullRdev();
  } catch {
    return false;
  }
}

/** Whether fd is a terminal; its process stream (stdin, stdout, stderr) is created only when it may be one. */
export function isTerminal(fd: 0 | 1 | 2): boolean {
  if (!mayBeTerminal(fd)) return false;
  const stream = fd === 0 ? process.stdin : fd === 1 ? process.stdout : process.stderr;
  return stream.isTTY === true;
}

let devNull: { rdev: number | undefined } | undefined;
function devNullRdev(): number | undefined {
  devNull ??= { rdev: statSync('/dev/null', { throwIfNoEntry: false })?.rdev };
  return devNull.rdev;
}

export const writeOut = (data: string | Uint8Array): void => writeFd(1, data);
export const writeErr = (data: string | Uint8Array): void => writeFd(2, data);

function closedPipe(): never {
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
}

/**
 * Output into a closed pipe (`wharf search x | head -2`) ends the process quietly, as Unix tools do; Node ignores
 * SIGPIPE, so a write fails with EPIPE instead, which would otherwise surface as an unhandled error. For the
 * process streams, the listener is added when something first uses one (creating it is what writeFd avoids).
 */
export function quietOnClosedPipe(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    const d = Object.getOwnPropertyDescriptor(process, name);
    if (!d?.get || !d.configurable) {
      process[name].on('error', onStreamError);
      continue;
    }
    const get = d.get;
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: d.enumerable,
      get() {
        const s = get.call(process) as NodeJS.WriteStream;
        Object.defineProperty(process, name, { configurable: true, enumerable: d.enumerable, get: () => s });
        s.on('error', onStreamError);
        return s;
      },
    });
  }
}

function onStreamError(e: NodeJS.ErrnoException): void {
  if (e.code !== 'EPIPE') throw e;
  closedPipe();
}
