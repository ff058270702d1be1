import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Who runs the demo in a demo dir: `.wharf-demo/start.pid`. */
export interface DemoHolder {
  pid: number;
  url?: string;
}

/**
 * One `npm start` per demo dir. A second one would re-sign the shared registry with its own artifact URLs and
 * re-point the demo home at its own port, which breaks the first demo once either stops. The pid file is made
 * with O_EXCL; one whose process is gone (killed, crashed) is taken over.
 */
export function claimDemoDir(demoDir: string): { running: DemoHolder } | { note(url: string): void; release(): void } {
  const file = join(demoDir, 'start.pid');
  for (let round = 0; round < 3; round++) {
    try {
      writeFileSync(file, `${JSON.stringify({ pid: process.pid })}\n`, { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readHolder(file);
      if (holder && alive(holder.pid)) return { running: holder };
      rmSync(file, { force: true }); // its process is gone (or the file is unreadable): take over
      continue;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
    };
    process.on('exit', release);
    return {
      note: (url) => writeFileSync(file, `${JSON.stringify({ pid: process.pid, url })}\n`),
      release,
    };
  }
  return { running: readHolder(file) ?? { pid: 0 } };
}

function readHolder(file: string): DemoHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as DemoHolder;
    return Number.isInteger(h.pid) && h.pid > 0 ? h : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
