import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, linkSync, lstatSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { WharfError } from '@wharf/schemas';
import { tempPathFor, uniqueHex } from '../fs/atomic-write.js';
import type { HomePaths } from '../home.js';

// One lock on the home for every writer (DESIGN §4); readers never take it, they rely on atomic renames.
//
// Hand-written rather than proper-lockfile: that library decides staleness by mtime alone (a lock of a dead
// process blocks for its `stale` period, a slow but live install whose mtime refresh is late is declared
// compromised), it keeps a timer refreshing the mtime, it records no owner to name in the refusal, its sync
// API can't wait, and two processes taking over the same stale lock can both win. Here the lock file names its
// holder (pid, process start time, host), a dead holder is taken over at once, and the takeover is exclusive.

/** What the lock file holds: who writes the home, so a waiter can tell a dead holder and name a live one. */
export interface LockHolder {
  pid: number;
  host: string;
  /** The holder's start time as the OS reports it (Linux: /proc/<pid>/stat field 22), to see through pid reuse. */
  start?: string;
  token: string;
  since: string;
  command: string;
}

export interface HomeLockOptions {
  /**
   * How long to wait for another process's lock, or another operation of this process, before E_HOME_LOCKED
   * (default WHARF_LOCK_WAIT_MS, else 60 s).
   */
  waitMs?: number;
}

export const DEFAULT_LOCK_WAIT_MS = 60_000;
/** An unreadable lock file (written by hand, or a filesystem without hard links mid-write) counts after this. */
const UNREADABLE_GRACE_MS = 5_000;
/** A takeover claim whose taker died between two syscalls is cleared after this. */
const CLAIM_GRACE_MS = 10_000;

export function lockWaitMs(opts: HomeLockOptions = {}): number {
  if (opts.waitMs !== undefined) return opts.waitMs;
  const env = Number(process.env.WHARF_LOCK_WAIT_MS);
  return process.env.WHARF_LOCK_WAIT_MS !== undefined && Number.isFinite(env) && env >= 0 ? env : DEFAULT_LOCK_WAIT_MS;
}

function startTimeOf(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces and parentheses; the fields after its last ')' are fixed.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

// Read when this process first takes a lock, not at import: readers import this module and never lock.
let ownStart: { value: string | undefined } | undefined;
function ownStartTime(): string | undefined {
  ownStart ??= { value: startTimeOf('self') };
  return ownStart.value;
}
// Per-process state, kept on globalThis: two copies of this module in one process (a bundle and the package, or
// src and dist in tests) must still see each other's locks, or one would take the other's over as "ours, stale".
interface SharedState {
  ownTokens: Set<string>;
  /** Only with WHARF_LOCK_CHECK: the scopes the running chain was started in (checkNotNested). */
  heldHere?: AsyncLocalStorage<ReadonlySet<{ readonly lock: string; readonly active: boolean }>>;
  queues: Map<string, Promise<void>>;
}
const SHARED = Symbol.for('wharf.home-lock');
const g = globalThis as { [SHARED]?: SharedState };
g[SHARED] ??= {
  ownTokens: new Set<string>(),
  queues: new Map<string, Promise<void>>(),
};
const shared = g[SHARED];

/** Tokens of the locks this process holds, to tell them from a lock a previous process with our pid left. */
const ownTokens = shared.ownTokens;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // someone else's process: alive
  }
}

function readHolder(path: string): { raw: string; holder?: LockHolder; mtimeMs: number } | undefined {
  try {
    const raw = readFileSync(path, 'utf8');
    const mtimeMs = lstatSync(path).mtimeMs;
    try {
      const h = JSON.parse(raw) as LockHolder;
      if (Number.isInteger(h?.pid) && typeof h.token === 'string' && typeof h.host === 'string')
        return { raw, holder: h, mtimeMs };
    } catch {
      // unreadable: judged by age below
    }
    return { raw, mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function isStale(r: { holder?: LockHolder; mtimeMs: number }): boolean {
  const h = r.holder;
  if (!h) return Date.now() - r.mtimeMs > UNREADABLE_GRACE_MS;
  if (h.host !== hostname()) return false; // a home shared over the network: its pids mean nothing here
  if (h.pid === process.pid) return !ownTokens.has(h.token);
  if (!isAlive(h.pid)) return true;
  const now = h.start === undefined ? undefined : startTimeOf(h.pid);
  return now !== undefined && now !== h.start; // the pid was reused by a later process
}

function describe(h: LockHolder | undefined): string {
  if (!h) return 'an unreadable lock file';
  return `process ${h.pid}${h.host !== hostname() ? ` on ${h.host}` : ''} (${h.command}) since ${h.since}`;
}

const tryUnlink = (p: string) => {
  try {
    unlinkSync(p);
  } catch {
    // already gone
  }
};

/**
 * Take over a dead holder's lock. The claim name is derived from the dead lock's token, and it is created by
 * hard-linking the lock file itself, so exactly one process can claim a given dead lock; the claim's content
 * proves the claimed file is still that dead lock and not a new one. Only the claimant unlinks it.
 */
function takeOver(path: string, dead: { raw: string; holder?: LockHolder }): void {
  const id = dead.holder?.token ?? Buffer.from(dead.raw).toString('hex').slice(0, 32);
  const claim = `${path}.takeover-${id.replace(/[^0-9a-zA-Z]/g, '').slice(0, 40)}`;
  try {
    linkSync(path, claim);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return; // released meanwhile
    if (code === 'EEXIST') {
      // Someone is taking it over right now, or died doing it: clear a claim left for longer than a takeover takes.
      try {
        if (Date.now() - lstatSync(claim).ctimeMs > CLAIM_GRACE_MS) tryUnlink(claim);
      } catch {
        // gone
      }
      return;
    }
    throw e;
  }
  try {
    if (readFileSync(claim, 'utf8') === dead.raw) tryUnlink(path);
  } finally {
    tryUnlink(claim);
  }
}

/** A lock held by this process; release() is idempotent and only ever removes this holder's own lock file. */
export interface HeldLock {
  readonly holder: LockHolder;
  release(): void;
}

type Attempt = { lock: HeldLock } | { busy: { holder?: LockHolder } };

function newHolder(): LockHolder {
  const start = ownStartTime();
  return {
    pid: process.pid,
    host: hostname(),
    ...(start !== undefined ? { start } : {}),
    token: uniqueHex(24),
    since: new Date().toISOString(),
    command: [basename(process.argv[1] ?? 'node'), ...process.argv.slice(2)].join(' ').slice(0, 200),
  };
}

/** One non-blocking try: create the lock whole (link of a written temp), or take over a dead holder's. */
function tryLock(path: string, holder: LockHolder): Attempt {
  const text = `${JSON.stringify(holder)}\n`;
  for (let round = 0; round < 4; round++) {
    let created = false;
    let tmp: string | undefined;
    try {
      // link() creates the name only if absent, with the content already there: no reader sees it half written.
      tmp = tempPathFor(path);
      writeNew(tmp, text);
      linkSync(tmp, path);
      created = true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') created = createExclusive(path, text);
      else if (code !== 'EEXIST') throw e;
    } finally {
      if (tmp) tryUnlink(tmp);
    }
    if (created) {
      ownTokens.add(holder.token);
      let released = false;
      return {
        lock: {
          holder,
          release() {
            if (released) return;
            released = true;
            ownTokens.delete(holder.token);
            const now = readHolder(path);
            if (now?.holder?.token === holder.token) tryUnlink(path);
          },
        },
      };
    }
    const cur = readHolder(path);
    if (!cur) continue; // released between our try and the read
    if (!isStale(cur)) return { busy: cur };
    takeOver(path, cur);
  }
  return { busy: readHolder(path) ?? {} };
}

/** O_EXCL create and write; no fsync: a lock only matters to live processes, and a power cut ends them all. */
function writeNew(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Filesystems without hard links: O_EXCL create, then write (a reader may briefly see it empty: the grace). */
function createExclusive(path: string, text: string): boolean {
  try {
    writeNew(path, text);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

function lockedError(home: HomePaths, waited: number, busy: { holder?: LockHolder }): WharfError {
  const h = busy.holder;
  const foreign = h !== undefined && h.host !== hostname();
  return new WharfError(
    'E_HOME_LOCKED',
    `The Wharf home ${home.root} is being changed by ${describe(h)}; gave up waiting after ${waited} ms. Retry when it has finished${foreign ? `; if no wharf runs on ${h.host} any more, remove ${home.homeLock}` : ''}.`,
    { holder: h, lock: home.homeLock },
  );
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * One polling schedule for both waits below: each call tries the lock once and returns it, or how long to wait
 * before the next try (backing off to 250 ms), or throws E_HOME_LOCKED once the bound has passed.
 */
function lockAttempts(home: HomePaths, opts: HomeLockOptions): () => { lock: HeldLock } | { waitMs: number } {
  const bound = lockWaitMs(opts);
  const t0 = Date.now();
  const holder = newHolder();
  let delay = 10;
  return () => {
    const a = tryLock(home.homeLock, holder);
    if ('lock' in a) return a;
    const waited = Date.now() - t0;
    if (waited >= bound) throw lockedError(home, waited, a.busy);
    const waitMs = Math.min(delay, bound - waited);
    delay = Math.min(250, Math.round(delay * 1.6));
    return { waitMs };
  };
}

/** Take the home lock, waiting (polling) up to the bound; resolves with the held lock or rejects E_HOME_LOCKED. */
export async function acquireHomeLock(home: HomePaths, opts: HomeLockOptions = {}): Promise<HeldLock> {
  const attempt = lockAttempts(home, opts);
  for (;;) {
    const a = attempt();
    if ('lock' in a) return a.lock;
    await new Promise((r) => setTimeout(r, a.waitMs));
  }
}

/** The same for synchronous writers (uninstall, source remove/use); the wait blocks this thread. */
export function acquireHomeLockSync(home: HomePaths, opts: HomeLockOptions = {}): HeldLock {
  const attempt = lockAttempts(home, opts);
  for (;;) {
    const a = attempt();
    if ('lock' in a) return a.lock;
    sleepSync(a.waitMs);
  }
}

// Within one process the lock is re-entrant along one call chain (install → refresh → ...), and writers of
// different chains queue here first, so two concurrent installs in one host app don't race either. The chain is
// told by the LockScope its outermost section hands down: an AsyncLocalStorage told it before, but on Node 20 and
// 22 that runs on async_hooks, and every promise and socket read under the lock then called a hook (8.6 ms of
// an install's ~60 ms of user CPU, measured interleaved). A nested section that is not handed the scope would wait for its own chain; with
// WHARF_LOCK_CHECK=1 (the test suites) such a call throws instead, found by a store kept only then.
const queues = shared.queues;

/** Proof that the running call chain holds a home's lock, valid while that section runs: nested writers pass it. */
export class LockScope {
  #active = true;
  constructor(readonly lock: string) {}
  get active(): boolean {
    return this.#active;
  }
  end(): void {
    this.#active = false;
  }
}

export interface ScopedLockOptions extends HomeLockOptions {
  /** The scope of the section this call runs in, if any: holding it, the call runs at once. */
  scope?: LockScope;
}

const holds = (home: HomePaths, scope: LockScope | undefined): scope is LockScope =>
  scope?.active === true && scope.lock === home.homeLock;

const checking = () => process.env.WHARF_LOCK_CHECK === '1';
const heldHere = () => (shared.heldHere ??= new AsyncLocalStorage());

/**
 * In checking mode: refuse a section of a chain whose own section on this home is still running but was not passed
 * its scope. (A timer set inside a section inherits the store; once the section ended its scope is inactive, and
 * the timer's writer queues as it should.)
 */
function checkNotNested(home: HomePaths): void {
  if (!checking()) return;
  for (const s of heldHere().getStore() ?? [])
    if (s.active && s.lock === home.homeLock)
      throw new Error(`withHomeLock(${home.homeLock}): a nested section without its LockScope would wait for itself`);
}

/** Run `fn` in `scope`: with WHARF_LOCK_CHECK, inside the store checkNotNested reads. */
function inScope<T>(scope: LockScope, fn: (scope: LockScope) => T): T {
  if (!checking()) return fn(scope);
  const store = heldHere();
  return store.run(new Set([...(store.getStore() ?? []), scope]), () => fn(scope));
}

// Work deferred to this process's first hold of a home's lock (openHome's sweep, for a client that may only read).
const atFirstHold = new Map<string, () => void>();

/** Run `fn` when this process next takes `home`'s lock, once, before what it was taken for. */
export function deferToFirstLock(home: HomePaths, fn: () => void): void {
  atFirstHold.set(home.homeLock, fn);
}

function firstHold(home: HomePaths): void {
  const fn = atFirstHold.get(home.homeLock);
  if (!fn) return;
  atFirstHold.delete(home.homeLock);
  fn();
}

/**
 * Run `fn` holding the home lock; the lockfile must be read inside `fn`, not before. `fn` gets the section's scope:
 * a writer it calls that takes the lock too is passed that scope (opts.scope) and runs at once.
 */
export async function withHomeLock<T>(
  home: HomePaths,
  fn: (scope: LockScope) => Promise<T> | T,
  opts?: ScopedLockOptions,
): Promise<T> {
  if (holds(home, opts?.scope)) return fn(opts.scope);
  checkNotNested(home);
  const key = home.homeLock;
  const before = queues.get(key) ?? Promise.resolve();
  let done!: () => void;
  const gate = new Promise<void>((r) => {
    done = r;
  });
  const mine = before.then(() => gate);
  queues.set(key, mine);
  try {
    await queuedBehind(home, before, opts);
    const lock = await acquireHomeLock(home, opts);
    const scope = new LockScope(key);
    try {
      firstHold(home);
      return await inScope(scope, fn);
    } finally {
      scope.end();
      lock.release();
    }
  } finally {
    done();
    if (queues.get(key) === mine) queues.delete(key);
  }
}

/**
 * Wait for this process's other chains ahead in the queue, up to the same bound as for another process: a section
 * that was not handed its scope would otherwise wait for itself for ever (WHARF_LOCK_CHECK finds those in tests).
 */
async function queuedBehind(home: HomePaths, before: Promise<void>, opts?: HomeLockOptions): Promise<void> {
  const bound = lockWaitMs(opts);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => {
    timer = setTimeout(() => r('late'), bound);
    timer.unref();
  });
  try {
    if ((await Promise.race([before, late])) === 'late')
      throw new WharfError(
        'E_HOME_LOCKED',
        `The Wharf home ${home.root} is being changed by another operation of this process; gave up waiting after ${bound} ms.`,
      );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The synchronous form. It can't wait for another call chain of this process (that chain needs this thread
 * to finish), so that case is E_HOME_LOCKED at once; other processes are waited for up to the bound.
 */
export function withHomeLockSync<T>(home: HomePaths, fn: (scope: LockScope) => T, opts?: ScopedLockOptions): T {
  if (holds(home, opts?.scope)) return fn(opts.scope);
  checkNotNested(home);
  if (queues.has(home.homeLock))
    throw new WharfError(
      'E_HOME_LOCKED',
      `The Wharf home ${home.root} is being changed by another operation of this process; retry when it is done.`,
    );
  const lock = acquireHomeLockSync(home, opts);
  const scope = new LockScope(home.homeLock);
  try {
    firstHold(home);
    return inScope(scope, fn);
  } finally {
    scope.end();
    lock.release();
  }
}

/**
 * Remove takeover claims whose taker died between its two unlinks (openHome calls this): a claim older than the
 * grace can't belong to a takeover still in progress.
 */
export function clearStaleClaims(home: HomePaths): void {
  const prefix = `${basename(home.homeLock)}.takeover-`;
  let names: string[];
  try {
    names = readdirSync(home.root);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const p = join(home.root, n);
    try {
      if (Date.now() - lstatSync(p).ctimeMs > CLAIM_GRACE_MS) tryUnlink(p);
    } catch {
      // gone
    }
  }
}

/** For tests and tools: the lock's current holder as written in the lock file, if any. */
export function homeLockHolder(home: HomePaths): LockHolder | undefined {
  return readHolder(home.homeLock)?.holder;
}
