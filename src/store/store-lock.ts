import { hostname } from 'node:os';

/** The process that runs on a store: enough for a person to find it and stop it. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** When it took the lock (epoch ms). */
  since: number;
  /** Its command line, as process.argv gave it. */
  argv: string[];
}

/**
 * The right to run on a store. One runner (`mend run`, `mend demo`) decides and acts on a store
 * at a time: two would both probe, decide and heal, and write every timeline entry twice.
 * Commands that only read, and those that go through operator requests (approve, deny, breaker
 * reset), need no lock. The store's owner (the controller) takes it before it opens the store and
 * lets go after it closed it. SQLite: a lock the kernel drops when the process dies
 * (sqlite-store-lock.ts); PostgreSQL: an advisory lock its session holds (postgres-store-lock.ts).
 */
export interface StoreLock {
  /** Who holds it: this process. */
  readonly owner: LockOwner;
  /** Why the lock no longer keeps other runners out (its file deleted or replaced), or undefined. */
  problem(): string | undefined;
  /** Let go, so another runner may start. Calling it again does nothing. */
  release(): Promise<void>;
}

/** Another runner holds the store: the message names it and says what to do. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
  /** The holder, when its details could be read. */
  readonly owner: LockOwner | undefined;

  constructor(message: string, owner: LockOwner | undefined) {
    super(message);
    this.owner = owner;
  }
}

/** This process, as a lock records it. */
export function currentOwner(now: () => number = Date.now): LockOwner {
  return { pid: process.pid, hostname: hostname(), since: now(), argv: [...process.argv] };
}

/** `pid 4242 on host web-1, since 2026-12-02T05:37:00.000Z, command: node bin/mend.js run ...` */
export function describeOwner(owner: LockOwner): string {
  const command = owner.argv.map((arg) =>
    /^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg),
  );
  return `pid ${owner.pid} on host ${owner.hostname}, since ${new Date(owner.since).toISOString()}, command: ${command.join(' ')}`;
}

/** Whether a value read back from a lock is an owner (a file written by another version may not be). */
export function isLockOwner(value: unknown): value is LockOwner {
  if (typeof value !== 'object' || value === null) return false;
  const owner = value as Record<string, unknown>;
  return (
    typeof owner.pid === 'number' &&
    typeof owner.hostname === 'string' &&
    typeof owner.since === 'number' &&
    Array.isArray(owner.argv) &&
    owner.argv.every((arg) => typeof arg === 'string')
  );
}
