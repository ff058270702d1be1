import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WharfError } from '@wharf/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acquireHomeLock,
  acquireHomeLockSync,
  homeLockHolder,
  type LockScope,
  withHomeLock,
  withHomeLockSync,
} from '../../src/home/home-lock.js';
import { type HomePaths, openHome } from '../../src/home.js';

// The home lock within one process and against lock files other processes left: re-entrant along one call
// chain, queued across chains, dead or reused-pid holders taken over, live ones waited for up to the bound.

const homes: string[] = [];
function home(): HomePaths {
  const root = mkdtempSync(join(tmpdir(), 'wharf-lockunit-'));
  homes.push(root);
  return openHome(root);
}
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

const plant = (h: HomePaths, holder: Record<string, unknown>) => writeFileSync(h.homeLock, JSON.stringify(holder));
/** A promise and the function that settles it, for a test to wait on an event rather than a delay. */
function signal(): { fire: () => void; fired: Promise<void> } {
  let fire!: () => void;
  const fired = new Promise<void>((r) => {
    fire = r;
  });
  return { fire, fired };
}

const refusal = (fn: () => unknown): WharfError => {
  try {
    fn();
  } catch (e) {
    return e as WharfError;
  }
  throw new Error('did not refuse');
};

describe('home lock', () => {
  it('writes its holder, and release removes only its own lock file', async () => {
    const h = home();
    const lock = await acquireHomeLock(h);
    expect(homeLockHolder(h)).toMatchObject({ pid: process.pid, host: hostname(), token: lock.holder.token });
    lock.release();
    expect(existsSync(h.homeLock)).toBe(false);
    const again = acquireHomeLockSync(h);
    // Someone else's lock file where ours was (it was taken from us): release leaves it alone.
    plant(h, { pid: 1, host: 'elsewhere', token: 'other', since: '', command: 'x' });
    again.release();
    expect(JSON.parse(readFileSync(h.homeLock, 'utf8')).token).toBe('other');
  });

  it('is re-entrant along one call chain and queues other chains of the same process', async () => {
    const h = home();
    const order: string[] = [];
    const { fire: letFirstFinish, fired: gate } = signal();
    const { fire: firstHolds, fired: holding } = signal();
    const first = withHomeLock(h, async (scope) => {
      order.push('first in');
      // Nested writers (install → refresh) and sync ones (uninstall) handed the section's scope don't deadlock.
      await withHomeLock(h, () => order.push('nested'), { scope });
      withHomeLockSync(h, () => order.push('nested sync'), { scope });
      firstHolds();
      await gate;
      order.push('first out');
    });
    await holding;
    const second = withHomeLock(h, () => order.push('second'));
    // A sync writer of another chain can't wait for this one (it needs the thread): E_HOME_LOCKED at once.
    expect(refusal(() => withHomeLockSync(h, () => order.push('sync'))).code).toBe('E_HOME_LOCKED');
    letFirstFinish();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'nested', 'nested sync', 'first out', 'second']);
    expect(existsSync(h.homeLock)).toBe(false);
  });

  it('another chain of this process is waited for up to the bound too, then E_HOME_LOCKED', async () => {
    const h = home();
    const { fire: release, fired: held } = signal();
    const { fire: holding, fired: started } = signal();
    const first = withHomeLock(h, async () => {
      holding();
      await held;
    });
    await started;
    const e = await withHomeLock(h, () => 'second', { waitMs: 50 }).catch((x: WharfError) => x);
    expect((e as WharfError).code).toBe('E_HOME_LOCKED');
    release();
    await first;
    expect(await withHomeLock(h, () => 'third')).toBe('third');
    expect(existsSync(h.homeLock)).toBe(false);
  });

  it('a scope outlives nothing: after its section it no longer lets a writer skip the queue', async () => {
    const h = home();
    let kept: LockScope | undefined;
    await withHomeLock(h, (scope) => {
      kept = scope;
    });
    expect(kept?.active).toBe(false);
    // Taken again properly: the lock file is written and removed around this section.
    await withHomeLock(h, () => expect(homeLockHolder(h)?.pid).toBe(process.pid), { scope: kept });
    expect(existsSync(h.homeLock)).toBe(false);
  });

  it('with WHARF_LOCK_CHECK (the test suites), a nested section not handed its scope throws instead of waiting', async () => {
    expect(process.env.WHARF_LOCK_CHECK).toBe('1');
    const h = home();
    const nested = withHomeLock(h, () => withHomeLock(h, () => 'never'));
    await expect(nested).rejects.toThrow(/without its LockScope/);
    expect(() => withHomeLockSync(h, () => withHomeLockSync(h, () => 'never'))).toThrow(/without its LockScope/);
    expect(existsSync(h.homeLock)).toBe(false);
  });

  it('a live holder is waited for up to the bound, then E_HOME_LOCKED naming it; no temp files left', async () => {
    const h = home();
    // The parent process is alive and not us: a live holder on this host.
    plant(h, {
      pid: process.ppid,
      host: hostname(),
      token: 't',
      since: '2026-01-01T00:00:00Z',
      command: 'wharf install x',
    });
    const e = (await acquireHomeLock(h, { waitMs: 50 }).catch((x) => x)) as WharfError;
    expect(e.code).toBe('E_HOME_LOCKED');
    expect(e.message).toContain(`process ${process.ppid} (wharf install x)`);
    expect(refusal(() => acquireHomeLockSync(h, { waitMs: 0 })).code).toBe('E_HOME_LOCKED');
    expect(JSON.parse(readFileSync(h.homeLock, 'utf8')).token).toBe('t');
    expect(readdirSync(h.root).filter((n) => n.startsWith('.wharf-tmp-'))).toEqual([]);
  });

  it('a holder on another host is never judged dead from here, and the refusal says what to do', () => {
    const h = home();
    plant(h, { pid: 999_999, host: 'other-host', token: 't', since: '', command: 'wharf update' });
    const e = refusal(() => acquireHomeLockSync(h, { waitMs: 0 }));
    expect(e.code).toBe('E_HOME_LOCKED');
    expect(e.message).toMatch(/on other-host .*remove .*home\.lock/);
  });

  it('takes over a dead pid, a reused pid (our own, with a token we never held) and an old unreadable lock', () => {
    const h = home();
    plant(h, { pid: 2 ** 22 + 12345, host: hostname(), token: 'dead', since: '', command: 'x' });
    acquireHomeLockSync(h, { waitMs: 0 }).release();
    plant(h, { pid: process.pid, host: hostname(), token: 'before-restart', since: '', command: 'x' });
    acquireHomeLockSync(h, { waitMs: 0 }).release();
    writeFileSync(h.homeLock, 'garbage');
    // Fresh garbage may be a lock being written on a filesystem without hard links: respected for a while.
    expect(refusal(() => acquireHomeLockSync(h, { waitMs: 0 })).code).toBe('E_HOME_LOCKED');
    const old = new Date(Date.now() - 60_000);
    utimesSync(h.homeLock, old, old);
    acquireHomeLockSync(h, { waitMs: 0 }).release();
    expect(existsSync(h.homeLock)).toBe(false);
  });
});
