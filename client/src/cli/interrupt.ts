import { WharfError } from '@wharf/schemas';

let interrupted = false;
let stopCurrent: (() => void) | undefined;

/** Ctrl-C seen by a prompt on the terminal (readline takes it as a key, not a signal): the same as a SIGINT. */
export function interrupt(): void {
  interrupted = true;
  stopCurrent?.();
}

/**
 * Ctrl-C during a download: the library takes no cancel signal, so for the command's duration every fetch of
 * this process (index and artifact downloads go through the global fetch) also listens to one. The first Ctrl-C
 * aborts them; the install then fails through its own error path, which removes its temp files, rolls back and
 * releases the home lock, so nothing is changed. A second Ctrl-C kills the process as usual.
 */
export async function interruptible<T>(work: () => Promise<T>): Promise<T> {
  const ctrl = new AbortController();
  const net = globalThis.fetch;
  globalThis.fetch = (input, init) =>
    net(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, ctrl.signal]) : ctrl.signal });
  const onSigint = () => {
    interrupted = true;
    process.off('SIGINT', onSigint);
    ctrl.abort(new WharfError('E_INTERRUPTED', 'interrupted'));
  };
  process.on('SIGINT', onSigint);
  stopCurrent = onSigint;
  try {
    return await work();
  } finally {
    stopCurrent = undefined;
    process.off('SIGINT', onSigint);
    globalThis.fetch = net;
  }
}

/** The error to report instead of whatever the aborted work threw, once Ctrl-C was pressed. */
export function interruptedError(): WharfError | undefined {
  return interrupted
    ? new WharfError(
        'E_INTERRUPTED',
        'interrupted (Ctrl-C); nothing was changed: the download stopped and its temporary files were removed.',
      )
    : undefined;
}
