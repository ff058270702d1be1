import { type FSWatcher, unwatchFile, watch, watchFile } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Calls onChange whenever the lockfile may have changed. Installs replace it by rename (writeFileAtomic), which ends
 * a watch on the file itself, so the home directory is watched and events filtered by name. Where the directory
 * cannot be watched (it does not exist yet, or fs.watch is unsupported), the file is polled instead.
 */
export function watchLockfile(lockfile: string, onChange: () => void, pollMs = 1_000): () => void {
  const name = basename(lockfile);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(lockfile), { persistent: false }, (_event, file) => {
      // Some platforms give no file name: then any change in the home counts.
      if (file === null || file === name) onChange();
    });
    watcher.on('error', () => {
      // The home was removed or became unwatchable: fall back to polling.
      watcher?.close();
      watcher = undefined;
      poll();
    });
  } catch {
    poll();
  }
  let polling = false;
  function poll(): void {
    if (polling) return;
    polling = true;
    watchFile(lockfile, { persistent: false, interval: pollMs }, onChange);
  }
  return () => {
    watcher?.close();
    if (polling) unwatchFile(lockfile, onChange);
  };
}
