import { WharfError } from '@wharf/schemas';
import { setProcessAbort } from '../index/process-abort.js';

let interrupted = false;
let stopCurrent: (() => void) | undefined;

/** Ctrl-C seen by a prompt on the terminal (readline takes it as a key, not a signal): the same as a SIGINT. */
export function interrupt(): void {
  interrupted = true;
  stopCurrent?.();
}

/**
 * Ctrl-C during a download: for the command's duration every request of this process also listens to one abort
 * (index/process-abort.ts), so the first Ctrl-C stops the transfer at once, on whichever mirror; the install then
 * fails through its own error path, which removes its temp files, rolls back and releases the home lock, so nothing
 * is changed. A second Ctrl-C kills the process as usual.
 */
export async function interruptible<T>(work: () => Promise<T>): Promise<T> {
  const ctrl = new AbortController();
  const onSigint = () => {
    interrupted = true;
    process.off('SIGINT', onSigint);
    ctrl.abort(new WharfError('E_INTERRUPTED', 'interrupted'));
  };
  process.on('SIGINT', onSigint);
  stopCurrent = onSigint;
  setProcessAbort(ctrl.signal);
  try {
    return await work();
  } finally {
    stopCurrent = undefined;
    process.off('SIGINT', onSigint);
    setProcessAbort(undefined);
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
